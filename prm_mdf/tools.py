# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Checks of the files partners upload (activity plans, proof of performance)."""

import io
import zipfile

MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # 10 MB
MAX_UPLOAD_FILES = 10
# file type -> extensions partners may use for it
ALLOWED_TYPES = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
}
ALLOWED_EXTENSIONS = tuple(ext for exts in ALLOWED_TYPES.values() for ext in exts)


def sniff_file_type(data):
    """The type of ``data`` from its content (magic bytes; for Office files,
    the parts of the OOXML package), or ``None``."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return None


def extension_type(filename):
    """The type a file name claims by its extension, or ``None``."""
    name = (filename or "").lower()
    for file_type, extensions in ALLOWED_TYPES.items():
        if name.endswith(extensions):
            return file_type
    return None


def check_upload(env, filename, data):
    """Return an error message for the partner if the file is refused (too
    large, or a type other than PDF, PNG, JPEG, XLSX, DOCX by its extension
    or by its content), else ``None``."""
    _ = env._
    if len(data) > MAX_UPLOAD_SIZE:
        return _("%s is larger than 10 MB.", filename)
    if not data:
        return _("%s is empty.", filename)
    claimed = extension_type(filename)
    if not claimed:
        return _("%s: only PDF, PNG, JPEG, XLSX and DOCX files are accepted.", filename)
    if sniff_file_type(data) != claimed:
        return _(
            "%(file)s is not a real %(type)s file: its content does not match "
            "its extension.",
            file=filename,
            type=claimed.upper(),
        )
    return None
