"""The models the Odoo test double serves, trimmed from a real Odoo 17's ``fields_get``.

Each model keeps the fields a client commonly reads, writes and searches, with
the strings, types, relations and selections the captured server reported,
plus Odoo's magic fields (``id``, ``display_name``, ``create_date``,
``create_uid``, ``write_date``, ``write_uid``). ``_order`` is Odoo's own where
known. Long selections (time zones) are cut to a handful of values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ._fields import Field, ModelSpec, make_model

__all__ = ["MODELS", "TIMEZONES", "models_for"]

TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Europe/Berlin",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Paris",
    "UTC",
)
_TZ = tuple((tz, tz) for tz in TIMEZONES)
_LANG = (("en_US", "English (US)"),)


def _f(ftype: str, string: str, **kw: Any) -> Field:
    return Field(ftype, string, **kw)


def _m2o(string: str, relation: str, **kw: Any) -> Field:
    return Field("many2one", string, relation=relation, **kw)


def _o2m(string: str, relation: str, relation_field: str, **kw: Any) -> Field:
    return Field("one2many", string, relation=relation, relation_field=relation_field, **kw)


def _m2m(string: str, relation: str, **kw: Any) -> Field:
    return Field("many2many", string, relation=relation, **kw)


def _sel(string: str, selection: tuple[tuple[str, str], ...], **kw: Any) -> Field:
    return Field("selection", string, selection=selection, **kw)


_PARTNER = make_model(
    "res.partner",
    "Contact",
    {
        "name": _f("char", "Name"),
        "complete_name": _f("char", "Complete Name", readonly=True),
        "email": _f("char", "Email"),
        "phone": _f("char", "Phone"),
        "mobile": _f("char", "Mobile"),
        "is_company": _f("boolean", "Is a Company", default=False),
        "parent_id": _m2o("Related Company", "res.partner"),
        "child_ids": _o2m("Contact", "res.partner", "parent_id"),
        "commercial_partner_id": _m2o("Commercial Entity", "res.partner", readonly=True),
        "commercial_company_name": _f("char", "Company Name Entity", readonly=True),
        "company_name": _f("char", "Company Name"),
        "type": _sel(
            "Address Type",
            (
                ("contact", "Contact"),
                ("invoice", "Invoice Address"),
                ("delivery", "Delivery Address"),
                ("other", "Other Address"),
            ),
            default="contact",
        ),
        "street": _f("char", "Street"),
        "street2": _f("char", "Street2"),
        "city": _f("char", "City"),
        "zip": _f("char", "Zip"),
        "country_id": _m2o("Country", "res.country"),
        "category_id": _m2m("Tags", "res.partner.category"),
        "function": _f("char", "Job Position"),
        "website": _f("char", "Website Link"),
        "vat": _f("char", "Tax ID"),
        "ref": _f("char", "Reference"),
        "lang": _sel("Language", _LANG, default="en_US"),
        "tz": _sel("Timezone", _TZ),
        "comment": _f("html", "Notes"),
        "active": _f("boolean", "Active", default=True),
        "color": _f("integer", "Color Index"),
        "company_id": _m2o("Company", "res.company"),
        "user_id": _m2o("Salesperson", "res.users"),
        "user_ids": _o2m("Users", "res.users", "partner_id"),
        "employee": _f("boolean", "Employee", default=False),
        "credit_limit": _f("float", "Credit Limit", store=False),
        "debit_limit": _f("monetary", "Payable Limit"),
        "customer_rank": _f("integer", "Customer Rank", default=0),
        "supplier_rank": _f("integer", "Supplier Rank", default=0),
        "date": _f("date", "Date"),
        "partner_latitude": _f("float", "Geo Latitude"),
        "partner_longitude": _f("float", "Geo Longitude"),
        "image_128": _f("binary", "Image 128", readonly=True),
        "image_1920": _f("binary", "Image"),
        "meeting_ids": _m2m("Meetings", "calendar.event", inverse="partner_ids"),
        "invoice_ids": _o2m("Invoices", "account.move", "partner_id", readonly=True),
    },
    order="complete_name ASC, id DESC",
    rec_names_search=("complete_name", "email", "ref", "vat"),
    parent_name="parent_id",
)

_CATEGORY = make_model(
    "res.partner.category",
    "Partner Tags",
    {
        "name": _f("char", "Tag Name", required=True),
        "color": _f("integer", "Color"),
        "parent_id": _m2o("Parent Category", "res.partner.category", ondelete="cascade"),
        "child_ids": _o2m("Child Tags", "res.partner.category", "parent_id"),
        "active": _f("boolean", "Active", default=True),
        "partner_ids": _m2m("Partners", "res.partner", inverse="category_id"),
    },
    order="name",
    parent_name="parent_id",
)

_COUNTRY = make_model(
    "res.country",
    "Country",
    {
        "name": _f("char", "Country Name", required=True),
        "code": _f("char", "Country Code", required=True),
        "phone_code": _f("integer", "Country Calling Code"),
        "currency_id": _m2o("Currency", "res.currency"),
        "address_format": _f("text", "Layout in Reports"),
        "name_position": _sel(
            "Customer Name Position",
            (("before", "Before Address"), ("after", "After Address")),
            default="before",
        ),
        "state_required": _f("boolean", "State Required", default=False),
        "zip_required": _f("boolean", "Zip Required", default=True),
        "vat_label": _f("char", "Vat Label"),
    },
    order="name",
    rec_names_search=("name", "code"),
)

_CURRENCY = make_model(
    "res.currency",
    "Currency",
    {
        "name": _f("char", "Currency", required=True),
        "full_name": _f("char", "Name"),
        "symbol": _f("char", "Symbol", required=True),
        "rounding": _f("float", "Rounding Factor", default=0.01),
        "decimal_places": _f("integer", "Decimal Places", readonly=True, default=2),
        "position": _sel(
            "Symbol Position",
            (("after", "After Amount"), ("before", "Before Amount")),
            default="after",
        ),
        "active": _f("boolean", "Active", default=True),
    },
    order="active desc, name",
    rec_names_search=("name", "full_name"),
)

_COMPANY = make_model(
    "res.company",
    "Companies",
    {
        "name": _f("char", "Company Name", required=True),
        "partner_id": _m2o("Partner", "res.partner", required=True, ondelete="restrict"),
        "currency_id": _m2o("Currency", "res.currency", required=True, default=1),
        "email": _f("char", "Email"),
        "phone": _f("char", "Phone"),
        "website": _f("char", "Website Link"),
        "vat": _f("char", "Tax ID"),
        "street": _f("char", "Street"),
        "city": _f("char", "City"),
        "zip": _f("char", "Zip"),
        "country_id": _m2o("Country", "res.country"),
        "sequence": _f("integer", "Sequence", default=10),
        "parent_id": _m2o("Parent Company", "res.company"),
        "child_ids": _o2m("Branches", "res.company", "parent_id"),
        "active": _f("boolean", "Active", default=True),
    },
    order="sequence, name",
    parent_name="parent_id",
)

_USERS = make_model(
    "res.users",
    "User",
    {
        "login": _f("char", "Login", required=True),
        "name": _f("char", "Name", store=False, related="partner_id.name"),
        "email": _f("char", "Email", store=False, related="partner_id.email"),
        "partner_id": _m2o("Related Partner", "res.partner", required=True, ondelete="restrict"),
        "company_id": _m2o("Company", "res.company", required=True, default=1),
        "company_ids": _m2m("Companies", "res.company"),
        "active": _f("boolean", "Active", default=True),
        "share": _f("boolean", "Share User", readonly=True, default=False),
        "notification_type": _sel(
            "Notification",
            (("email", "Handle by Emails"), ("inbox", "Handle in Odoo")),
            required=True,
            default="email",
        ),
        "tz": _sel("Timezone", _TZ, store=False, related="partner_id.tz"),
        "lang": _sel("Language", _LANG, store=False, related="partner_id.lang"),
        "signature": _f("html", "Email Signature"),
        "login_date": _f("datetime", "Latest authentication", store=False),
    },
    order="name, login",
    rec_names_search=("name", "login"),
)

_CONFIG_PARAMETER = make_model(
    "ir.config_parameter",
    "System Parameter",
    {
        "key": _f("char", "Key", required=True),
        "value": _f("text", "Value", required=True),
    },
    order="key",
    rec_name="key",
)

_EVENT = make_model(
    "calendar.event",
    "Calendar Event",
    {
        "name": _f("char", "Meeting Subject", required=True),
        "start": _f("datetime", "Start", required=True),
        "stop": _f("datetime", "Stop", required=True),
        "allday": _f("boolean", "All Day", default=False),
        "duration": _f("float", "Duration"),
        "start_date": _f("date", "Start Date"),
        "stop_date": _f("date", "End Date"),
        "description": _f("html", "Description"),
        "location": _f("char", "Location"),
        "partner_ids": _m2m("Attendees", "res.partner"),
        "user_id": _m2o("Organizer", "res.users"),
        "privacy": _sel(
            "Privacy",
            (("public", "Public"), ("private", "Private"), ("confidential", "Only internal users")),
            required=True,
            default="public",
        ),
        "show_as": _sel(
            "Show as", (("free", "Available"), ("busy", "Busy")), required=True, default="busy"
        ),
        "active": _f("boolean", "Active", default=True),
        "recurrency": _f("boolean", "Recurrent", default=False),
    },
    order="start desc",
)

_MOVE_STATES = (("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled"))

_MOVE = make_model(
    "account.move",
    "Journal Entry",
    {
        "name": _f("char", "Number", default="/"),
        "ref": _f("char", "Reference"),
        "move_type": _sel(
            "Type",
            (
                ("entry", "Journal Entry"),
                ("out_invoice", "Customer Invoice"),
                ("out_refund", "Customer Credit Note"),
                ("in_invoice", "Vendor Bill"),
                ("in_refund", "Vendor Credit Note"),
                ("out_receipt", "Sales Receipt"),
                ("in_receipt", "Purchase Receipt"),
            ),
            required=True,
            readonly=True,
            default="entry",
        ),
        "state": _sel("Status", _MOVE_STATES, required=True, readonly=True, default="draft"),
        "payment_state": _sel(
            "Payment Status",
            (
                ("not_paid", "Not Paid"),
                ("in_payment", "In Payment"),
                ("paid", "Paid"),
                ("partial", "Partially Paid"),
                ("reversed", "Reversed"),
                ("invoicing_legacy", "Invoicing App Legacy"),
            ),
            readonly=True,
            default="not_paid",
        ),
        "partner_id": _m2o("Partner", "res.partner", ondelete="restrict"),
        "invoice_date": _f("date", "Invoice/Bill Date"),
        "invoice_date_due": _f("date", "Due Date"),
        "date": _f("date", "Date", required=True),
        "currency_id": _m2o("Currency", "res.currency", required=True, default=1),
        "company_id": _m2o("Company", "res.company", default=1),
        "amount_untaxed": _f("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": _f("monetary", "Tax", readonly=True),
        "amount_total": _f("monetary", "Total", readonly=True),
        "amount_residual": _f("monetary", "Amount Due", readonly=True),
        "invoice_line_ids": _o2m("Invoice lines", "account.move.line", "move_id"),
        "line_ids": _o2m("Journal Items", "account.move.line", "move_id"),
        "invoice_user_id": _m2o("Salesperson", "res.users"),
        "invoice_origin": _f("char", "Origin", readonly=True),
        "narration": _f("html", "Terms and Conditions"),
        "payment_reference": _f("char", "Payment Reference"),
    },
    order="date desc, name desc, invoice_date desc, id desc",
)

_MOVE_LINE = make_model(
    "account.move.line",
    "Journal Item",
    {
        "move_id": _m2o(
            "Journal Entry", "account.move", required=True, readonly=True, ondelete="cascade"
        ),
        "name": _f("char", "Label"),
        "partner_id": _m2o("Partner", "res.partner", ondelete="restrict"),
        "quantity": _f("float", "Quantity", default=1.0),
        "price_unit": _f("float", "Unit Price"),
        "discount": _f("float", "Discount (%)", default=0.0),
        "price_subtotal": _f("monetary", "Subtotal", readonly=True),
        "price_total": _f("monetary", "Total", readonly=True),
        "debit": _f("monetary", "Debit"),
        "credit": _f("monetary", "Credit"),
        "balance": _f("monetary", "Balance"),
        "currency_id": _m2o("Currency", "res.currency", required=True),
        "date": _f("date", "Date", readonly=True),
        "parent_state": _sel("Status", _MOVE_STATES, readonly=True),
        "move_name": _f("char", "Number", readonly=True),
        "display_type": _sel(
            "Display Type",
            (
                ("product", "Product"),
                ("cogs", "Cost of Goods Sold"),
                ("tax", "Tax"),
                ("discount", "Discount"),
                ("rounding", "Rounding"),
                ("payment_term", "Payment Term"),
                ("line_section", "Section"),
                ("line_note", "Note"),
                ("epd", "Early Payment Discount"),
            ),
            required=True,
            default="product",
        ),
        "sequence": _f("integer", "Sequence", default=10),
        "company_id": _m2o("Company", "res.company", readonly=True),
    },
    order="date desc, move_name desc, id",
)

_MODEL_DATA = make_model(
    "ir.model.data",
    "Model Data",
    {
        "name": _f("char", "External Identifier", required=True),
        "module": _f("char", "Module", required=True, default=""),
        "model": _f("char", "Model Name", required=True),
        "res_id": _f("integer", "Record ID"),
        "noupdate": _f("boolean", "Non Updatable", default=False),
    },
    order="module, model, name",
)

_ATTACHMENT = make_model(
    "ir.attachment",
    "Attachment",
    {
        "name": _f("char", "Name", required=True),
        "datas": _f("binary", "File Content (base64)"),
        "res_model": _f("char", "Resource Model"),
        "res_id": _f("integer", "Resource ID"),
        "mimetype": _f("char", "Mime Type"),
        "type": _sel("Type", (("url", "URL"), ("binary", "File")), default="binary"),
    },
    order="id desc",
)

_REPORT = make_model(
    "ir.actions.report",
    "Report Action",
    {
        "name": _f("char", "Action Name", required=True),
        "report_name": _f("char", "Template Name", required=True),
        "model": _f("char", "Model Name", required=True),
        "report_type": _sel(
            "Report Type",
            (("qweb-html", "HTML"), ("qweb-pdf", "PDF"), ("qweb-text", "Text")),
            default="qweb-pdf",
        ),
    },
    order="name, id",
)

#: Every model the double knows, by name.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _PARTNER,
        _CATEGORY,
        _COUNTRY,
        _CURRENCY,
        _COMPANY,
        _USERS,
        _CONFIG_PARAMETER,
        _EVENT,
        _MOVE,
        _MOVE_LINE,
        _MODEL_DATA,
        _ATTACHMENT,
        _REPORT,
    )
}


def _without(spec: ModelSpec, *names: str) -> ModelSpec:
    fields = {fname: f for fname, f in spec.fields.items() if fname not in names}
    return dataclasses.replace(spec, fields=fields)


#: Odoo 18 dropped ``res.partner.date`` (``odoo/addons/base/models/res_partner.py``).
_MODELS_18: dict[str, ModelSpec] = {**MODELS, "res.partner": _without(_PARTNER, "date")}


def models_for(major: int) -> dict[str, ModelSpec]:
    """The models of Odoo ``major`` (17, 18 or 19)."""
    return MODELS if major < 18 else _MODELS_18
