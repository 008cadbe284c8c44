"""Twilio: SMS answered in TwiML, phone calls played from the audio cache, the REST sender."""
