# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Normalization of company identifiers shared by the PRM addons."""

import re
from urllib.parse import urlsplit

# Free mail providers: their domain says nothing about the company.
GENERIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "freemail.hu",
        "citromail.hu",
        "mail.ru",
        "yandex.ru",
        "ya.ru",
        "rambler.ru",
        "bk.ru",
        "list.ru",
        "inbox.ru",
        "yahoo.com.my",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "wp.pl",
        "o2.pl",
        "onet.pl",
    }
)


def normalize_vat(vat, country_code=None):
    """Upper-case alphanumeric VAT, without the country prefix.

    ``"HU 12345678-2-41"`` and ``"12345678241"`` give the same key.
    """
    if not vat:
        return False
    key = re.sub(r"[^0-9A-Za-z]", "", vat).upper()
    if len(key) > 2 and key[:2].isalpha():
        if not country_code or key[:2] == country_code.upper():
            key = key[2:]
    return key or False


def company_domain(email_or_url):
    """Company domain of an email address or website, ``False`` when generic."""
    if not email_or_url:
        return False
    value = email_or_url.strip().lower()
    if "@" in value:
        domain = value.rsplit("@", 1)[1]
    else:
        if "//" not in value:
            value = "//" + value
        domain = urlsplit(value).hostname or ""
    domain = domain.strip(".")
    if domain.startswith("www."):
        domain = domain[4:]
    if not domain or "." not in domain or domain in GENERIC_MAIL_DOMAINS:
        return False
    return domain
