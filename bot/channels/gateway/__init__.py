"""The "SMS Gateway for Android" app: a phone that sends and receives the campaign's SMS."""
