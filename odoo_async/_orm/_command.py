"""x2many commands: the triplets Odoo reads in one2many and many2many values.

A one2many or many2many field is written with a list of commands::

    await orders.write([7], {
        "order_line": [
            Command.create({"product_id": 3, "product_uom_qty": 2}),
            Command.update(41, {"product_uom_qty": 5}),
            Command.delete(42),
        ],
        "tag_ids": [Command.set([1, 2, 3])],
    })

Each builder returns Odoo's triplet as a list, ready for the wire:

==========================  ====================  ==============================================
builder                     triplet               meaning
==========================  ====================  ==============================================
``Command.create(vals)``    ``[0, 0, vals]``      create a record and link it
``Command.update(id, v)``   ``[1, id, vals]``     write ``vals`` on the linked record ``id``
``Command.delete(id)``      ``[2, id, 0]``        delete record ``id`` (and so unlink it)
``Command.unlink(id)``      ``[3, id, 0]``        unlink ``id``, keep the record (many2many);
                                                  on a one2many Odoo may delete it
``Command.link(id)``        ``[4, id, 0]``        link the existing record ``id``
``Command.clear()``         ``[5, 0, 0]``         unlink every record (as ``unlink`` each)
``Command.set(ids)``        ``[6, 0, ids]``       replace the links by ``ids``
==========================  ====================  ==============================================

``vals`` go through :func:`odoo_async._values.to_odoo_values` (dates to
strings, ``None`` to ``False``...). Ids must be positive ``int``; a ``bool`` is
refused, as ``True`` would silently mean record 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Final

from odoo_async._values import to_odoo_values

__all__ = ["Command"]


def _check_id(record_id: object, what: str) -> int:
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise TypeError(f"{what}: a record id is an int, got {type(record_id).__name__}")
    if record_id <= 0:
        raise ValueError(f"{what}: a record id is positive, got {record_id}")
    return record_id


class Command:
    """Builders for x2many commands, and their codes as ``int`` constants.

    Every builder is a static method returning a new list; there is no need to
    make a ``Command`` object.
    """

    CREATE: Final = 0
    UPDATE: Final = 1
    DELETE: Final = 2
    UNLINK: Final = 3
    LINK: Final = 4
    CLEAR: Final = 5
    SET: Final = 6

    @staticmethod
    def create(vals: Mapping[str, Any]) -> list[Any]:
        """``[0, 0, vals]``: create a new record from ``vals`` and link it."""
        return [Command.CREATE, 0, to_odoo_values(vals)]

    @staticmethod
    def update(id: int, vals: Mapping[str, Any]) -> list[Any]:
        """``[1, id, vals]``: write ``vals`` on the linked record ``id``."""
        return [Command.UPDATE, _check_id(id, "Command.update"), to_odoo_values(vals)]

    @staticmethod
    def delete(id: int) -> list[Any]:
        """``[2, id, 0]``: delete the record ``id`` from the database."""
        return [Command.DELETE, _check_id(id, "Command.delete"), 0]

    @staticmethod
    def unlink(id: int) -> list[Any]:
        """``[3, id, 0]``: remove the link to ``id``; the record itself stays (many2many).

        On a one2many the record's inverse many2one is emptied, and Odoo deletes
        the record when that field is required or ``ondelete="cascade"``.
        """
        return [Command.UNLINK, _check_id(id, "Command.unlink"), 0]

    @staticmethod
    def link(id: int) -> list[Any]:
        """``[4, id, 0]``: add a link to the existing record ``id``."""
        return [Command.LINK, _check_id(id, "Command.link"), 0]

    @staticmethod
    def clear() -> list[Any]:
        """``[5, 0, 0]``: remove every link (as :meth:`unlink` on each record)."""
        return [Command.CLEAR, 0, 0]

    @staticmethod
    def set(ids: Iterable[int]) -> list[Any]:
        """``[6, 0, ids]``: replace the links by exactly ``ids`` (a set is sent sorted)."""
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            raise TypeError(f"Command.set: ids are an iterable of int, got {type(ids).__name__}")
        checked = [_check_id(i, "Command.set") for i in ids]
        if isinstance(ids, AbstractSet):  # no order of its own: give a stable one
            checked.sort()
        return [Command.SET, 0, checked]
