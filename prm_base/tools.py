# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Normalized keys identifying a company across records (applications, deal
registrations, opportunities, customers), shared by the PRM addons so that
they compare like with like."""

import re
import unicodedata
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from odoo.tools import SQL

# Free mail providers: an address at one of them says nothing about the company.
GENERIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "bk.ru",
        "citromail.hu",
        "free.fr",
        "freemail.hu",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "inbox.ru",
        "indamail.hu",
        "laposte.net",
        "libero.it",
        "list.ru",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "o2.pl",
        "onet.pl",
        "orange.fr",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "rambler.ru",
        "t-online.de",
        "web.de",
        "wp.pl",
        "ya.ru",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.com.my",
        "yandex.com",
        "yandex.ru",
        "ymail.com",
    }
)

# Legal forms dropped from company names (compared after lowercasing and
# punctuation removal, so "Sdn. Bhd." becomes the tokens "sdn" and "bhd").
LEGAL_FORM_TOKENS = frozenset(
    {
        # Hungary
        "kft",
        "zrt",
        "nyrt",
        "bt",
        "kkt",
        # German-speaking countries
        "gmbh",
        "ag",
        "kg",
        "ug",
        "mbh",
        # English-speaking countries
        "ltd",
        "limited",
        "llc",
        "llp",
        "inc",
        "corp",
        "plc",
        # Malaysia, Singapore
        "sdn",
        "bhd",
        "pte",
        # Romance languages
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        # Benelux, Nordics
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        # Russia and neighbours
        "ooo",
        "оао",
        "ооо",
        "зао",
        "пао",
        "ао",
        "ип",
    }
)

# Countries whose domestic tax number embeds the EU VAT number: keep the core.
# Hungary: domestic "12345678-2-42", EU VAT "HU12345678".
VAT_CORE_LENGTH = {"HU": (11, 8)}
# VAT prefixes that differ from the ISO country code.
VAT_PREFIXES = {"GR": "EL"}

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalize_vat(vat, country_code=None):
    """``vat`` upper case, letters and digits only, without the country prefix
    when it is the one of ``country_code``."""
    if not vat:
        return False
    value = _NON_ALNUM.sub("", vat.upper())
    code = (country_code or "").upper()
    if code:
        for prefix in {code, VAT_PREFIXES.get(code, code)}:
            if value.startswith(prefix) and len(value) > len(prefix):
                value = value[len(prefix) :]
                break
        domestic_length, core_length = VAT_CORE_LENGTH.get(code, (0, 0))
        if domestic_length and len(value) == domestic_length and value.isdigit():
            value = value[:core_length]
    return value or False


def _host(website):
    website = website.strip().lower()
    if "//" not in website:
        website = "//" + website
    try:
        host = urlsplit(website).hostname or ""
    except ValueError:
        return ""
    return host.strip(".")


def normalize_domain(website=None, *emails, generic_domains=GENERIC_MAIL_DOMAINS):
    """The company's internet domain, from its website or else from the first
    e-mail address at a non-generic provider; ``False`` when unknown."""
    candidates = []
    if website:
        candidates.append(_host(website))
    for email in emails:
        if email and "@" in email:
            candidates.append(email.rsplit("@", 1)[1].strip().strip(">").lower())
    for domain in candidates:
        if domain.startswith("www."):
            domain = domain[4:]
        if domain and "." in domain and domain not in generic_domains:
            return domain
    return False


def normalize_name(name):
    """Lowercase company name without accents, punctuation and legal forms."""
    if not name:
        return False
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char))
    tokens = _PUNCTUATION.sub(" ", text.lower()).split()
    kept = [token for token in tokens if token not in LEGAL_FORM_TOKENS]
    return " ".join(kept or tokens) or False


def _column_cell(field, value):
    """``value`` as a column value: ``False`` is NULL but for booleans."""
    return None if value is False and field.type != "boolean" else value


# types whose str() is a valid array element as is
_BARE_ARRAY_TYPES = frozenset({int, float, Decimal, date, type(None)})


def _quoted_element(value):
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        text = str.__str__(value)  # Markup's replace() would escape
    elif isinstance(value, (int, float, Decimal, date)):
        text = str(value)
    else:
        raise TypeError(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def column_array(field, values):
    """One column of values as an SQL array parameter of the field's type.

    Plain values (numbers, strings, dates, booleans, NULL) travel as one
    array literal, which the server reads in one pass; an ``ARRAY[...]``
    expression, psycopg2's default, is parsed as one expression per value
    and costs several times more for big arrays. Other values (JSON) keep
    psycopg2's adaptation.
    """
    cast = SQL(f"::{field.column_type[1]}[]")
    try:
        if set(map(type, values)) <= _BARE_ARRAY_TYPES:
            body = ",".join(["NULL" if v is None else str(v) for v in values])
        else:
            body = ",".join(map(_quoted_element, values))
    except TypeError:
        return SQL("%s%s", list(values), cast)
    return SQL("%s%s", "{" + body + "}", cast)


def update_rows(model, values, constants=None):
    """Write ``{record_id: {field: value}}`` on ``model`` in one UPDATE.

    Every row gives the same stored fields; ``constants`` (``{field: value}``)
    go to every row. For set-based caches (KPIs, tier changes) that no
    tracking or compute depends on: the ORM cache is invalidated, but no
    ``write`` side effect runs. The values travel as one array per column, so
    the statement costs the same to build for ten rows or a hundred thousand.
    """
    if not values:
        return
    constants = constants or {}
    names = list(next(iter(values.values())))
    model.flush_model([*names, *constants])
    fields = [model._fields[name] for name in names]
    arrays = SQL(", ").join(
        [
            column_array(model._fields["id"], list(values)),
            *(
                column_array(
                    field,
                    [_column_cell(field, row[field.name]) for row in values.values()],
                )
                for field in fields
            ),
        ]
    )
    assignments = SQL(", ").join(
        [SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name)) for name in names]
        + [
            SQL("%s = %s", SQL.identifier(name), value)
            for name, value in constants.items()
        ]
    )
    model.env.cr.execute(
        SQL(
            "UPDATE %s AS t SET %s FROM unnest(%s) AS v(id, %s) WHERE t.id = v.id",
            SQL.identifier(model._table),
            assignments,
            arrays,
            SQL(", ").join(SQL.identifier(name) for name in names),
        )
    )
    model.invalidate_model([*names, *constants])


def _insert_column(model, field, defaults, vals_list, converted):
    """The column values of ``field`` for ``insert_rows``."""
    name = field.name
    if name not in vals_list[0]:  # a default, the same for every row
        value = field.convert_to_column_insert(defaults[name], model, defaults)
        return [value] * len(vals_list)
    if converted:
        column = [vals[name] for vals in vals_list]
        if field.type == "boolean":
            return column
        return [None if value is False else value for value in column]
    done = {}
    column = []
    for vals in vals_list:
        value = vals[name]
        try:
            if value not in done:
                done[value] = field.convert_to_column_insert(value, model, vals)
            column.append(done[value])
        except TypeError:  # unhashable value (JSON)
            column.append(field.convert_to_column_insert(value, model, vals))
    return column


def insert_rows(model, vals_list, converted=False):
    """Create records of ``model`` from ``vals_list`` with one INSERT.

    For records made in bulk by set-based code (tier history, chatter notes,
    commission lines), where ``create()`` inserts 100 rows per statement and
    converts every value of every record. Every dict gives the same fields;
    the model's defaults, taken once, complete them. No ``create()`` override
    runs: stored computed fields that are given are protected, the others are
    left to the ORM to compute, and dependent fields are marked as
    ``create()`` does. With ``converted``, the values are column values
    already (ids, numbers, strings, dates, ``False`` for empty); otherwise
    each distinct value is converted once. Values travel as one array per
    column, so the statement costs the same to build for any number of rows.
    """
    if not vals_list:
        return model.browse()
    env = model.env
    defaults = model._add_missing_default_values({})
    now = env.cr.now()
    if model._log_access:
        defaults.update(
            create_uid=env.uid, create_date=now, write_uid=env.uid, write_date=now
        )
    given = vals_list[0]
    names = sorted(
        name
        for name in {*defaults, *given}
        if model._fields[name].store and model._fields[name].column_type
    )
    fields = [model._fields[name] for name in names]
    columns = {
        field.name: _insert_column(model, field, defaults, vals_list, converted)
        for field in fields
    }
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT * FROM unnest(%s) RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(
                column_array(field, columns[field.name]) for field in fields
            ),
        )
    )
    records = model.browse([row[0] for row in env.cr.fetchall()])
    many2ones = [field for field in fields if field.type == "many2one"]
    # the one2many fields listing such records get them on their next read
    # (this drops the many2one values from the cache, so it comes first)
    for field in many2ones:
        for inverse in model.pool.field_inverses[field]:
            env[inverse.model_name].invalidate_model([inverse.name])
    # what the records point to is known, NULL where no value was given:
    # spare modified() reading it back
    for field in model._fields.values():
        if field.type == "many2one" and field.store:
            if field.name in columns:
                cells = [value or None for value in columns[field.name]]
            elif field.compute:
                continue
            else:
                cells = [None] * len(records)
            env.cache.update(records, field, cells)
    for field in model._fields.values():
        if field.store and field.compute and field not in fields:
            env.add_to_compute(field, records)
    with env.protecting(fields, records):
        records.modified(names, create=True)
    records._validate_fields(names)
    return records
