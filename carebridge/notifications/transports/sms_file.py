"""Text messages as files: the gateway for development and the demo.

Each message becomes one JSON file named after its idempotency key, created atomically and
never overwritten, so the directory behaves like a gateway that honours the key: a second
send of the same key delivers nothing new and is logged as a retransmission.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from carebridge.core import clock
from carebridge.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from carebridge.notifications.transports import Envelope, Transport

RETRANSMISSIONS_LOG = "retransmissions.log"
# Keys become file names: nothing that could climb out of the directory.
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")


def message_path(directory: Path, key: str) -> Path:
    return directory / f"{key}.json"


class FileSmsTransport(Transport):
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_PATH)

    def open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TransientDeliveryError(f"SMS directory unusable: {error}") from error

    def send(self, envelope: Envelope) -> str:
        if not _SAFE_KEY.fullmatch(envelope.key):
            raise PermanentDeliveryError("idempotency key is not usable as a file name")
        record = {
            "key": envelope.key,
            "to": envelope.to_address,
            "from": envelope.from_address or settings.SMS_FROM,
            "body": envelope.body_text,
            "written_at": clock.now().isoformat(),
        }
        try:
            self._write_once(envelope.key, json.dumps(record, ensure_ascii=False, indent=1))
        except OSError as error:
            raise TransientDeliveryError(f"SMS file not written: {error}") from error
        return f"file:{envelope.key}"

    def _write_once(self, key: str, content: str) -> None:
        """Write a scratch file and hard-link it under the final name: readers never see
        half a message, and the link fails instead of replacing an existing one. The scratch
        name is the key's, made unique per process and thread (two workers may hold the
        same message after a lease ran out); one a crashed run left behind is overwritten."""
        scratch = self.directory / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(scratch, "w", encoding="utf-8") as file:
            file.write(content)
        try:
            os.link(scratch, message_path(self.directory, key))
        except FileExistsError:
            with open(self.directory / RETRANSMISSIONS_LOG, "a", encoding="utf-8") as log:
                log.write(key + "\n")
        finally:
            os.unlink(scratch)

    def close(self) -> None:
        """Nothing stays open between messages."""


@dataclass(frozen=True)
class FileGatewayContents:
    messages: dict[str, dict[str, Any]]  # by idempotency key
    retransmissions: int  # sends of a key that was already delivered


def file_gateway_contents(directory: Path | None = None) -> FileGatewayContents:
    """What the file gateway holds, read back from its directory."""
    directory = Path(directory or settings.SMS_FILE_PATH)
    messages = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }
    log = directory / RETRANSMISSIONS_LOG
    retransmissions = len(log.read_text(encoding="utf-8").split()) if log.exists() else 0
    return FileGatewayContents(messages, retransmissions)
