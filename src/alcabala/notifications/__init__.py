"""The outbox of notifications (an owner told their stolen car was found) and its senders."""
