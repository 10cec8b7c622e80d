"""The outbox's mail sender (``app.outbox.MailSender``) over SMTP: a refusal becomes
``SendFailed`` with the server's reply, never the message."""

from __future__ import annotations

from email.message import EmailMessage

from leadrail.adapters.mail.smtp import MailError, SmtpMailer
from leadrail.app.outbox import SendFailed


class SmtpSender:
    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer

    def send(self, message: EmailMessage) -> str:
        try:
            return self.mailer.send_sync(message)
        except MailError as e:
            raise SendFailed(f"SMTP: {e.response}", retryable=e.retryable) from None
