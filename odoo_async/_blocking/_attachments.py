"""``Attachments``: the blocking twin of :class:`~odoo_async.AsyncAttachments`."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from odoo_async._client._files import AsyncAttachments

    from ._client import Odoo

__all__ = ["Attachments"]

PathOrFile = TypeVar("PathOrFile")


class Attachments:
    """Files in Odoo, blocking (``odoo.attachments``); see :class:`AsyncAttachments`."""

    def __init__(self, odoo: Odoo) -> None:
        self.odoo = odoo

    @property
    def aio(self) -> AsyncAttachments:
        """The async attachments behind these (this process's client)."""
        return self.odoo.aio.attachments

    def __repr__(self) -> str:
        return f"<Attachments of {self.odoo!r}>"

    def upload(
        self,
        model: str,
        record_id: int,
        content: bytes | str | os.PathLike[str] | IO[bytes],
        *,
        name: str,
        mimetype: str | None = None,
    ) -> int:
        """Attach ``content`` to a record; the attachment's id (see
        :meth:`AsyncAttachments.upload`)."""
        return self.odoo.run(
            self.aio.upload(model, record_id, content, name=name, mimetype=mimetype)
        )

    @overload
    def download(self, attachment_id: int, to: None = None) -> bytes: ...

    @overload
    def download(self, attachment_id: int, to: PathOrFile) -> PathOrFile: ...

    def download(self, attachment_id: int, to: Any = None) -> Any:
        """An attachment's content, as bytes or written to ``to`` (see
        :meth:`AsyncAttachments.download`)."""
        return self.odoo.run(self.aio.download(attachment_id, to))

    def read_field(self, model: str, record_id: int, field: str, to: Any = None) -> Any:
        """A binary field's content (see :meth:`AsyncAttachments.read_field`)."""
        return self.odoo.run(self.aio.read_field(model, record_id, field, to))
