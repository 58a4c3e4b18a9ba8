"""The outbox and what comes in: `outbox` writes and withdraws messages, `delivery` hands
them to their gateways, `inbound` records replies and honours STOP, START and HELP."""
