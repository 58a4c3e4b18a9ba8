"""Local stand-ins for the gateways (an SMTP server, an SMS provider's REST API), for tests
and benchmarks. They de-duplicate by idempotency key as real providers do, and count every
raw transmission so retransmissions can be reported."""
