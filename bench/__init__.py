"""`make bench`: CareBridge's performance figures, measured on fresh, throw-away databases."""
