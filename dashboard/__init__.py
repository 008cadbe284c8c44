"""The facilitators' web app."""
