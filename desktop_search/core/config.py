"""Typed settings with defaults and help text, saved as TOML; every path derives from one home."""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from desktop_search.core.errors import ConfigError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUNDLED_MODEL = "bundled"  # the built-in sentence transformer (all-MiniLM-L6-v2)
FAST_MODEL = "bundled-fast"  # the built-in static word vectors: every passage's first pass
APP_NAME = "desktop-search"
HOME_ENV = "DESKTOP_SEARCH_HOME"

# Where a setting is shown, in this order; a setting with no section is never shown to people.
SECTIONS = ("Search", "Index", "Advanced")


@dataclass(frozen=True)
class SettingInfo:
    """How a front end shows one setting; read from the field's metadata by `Settings.info()`.

    The kind of editor follows the default's type (bool, int, float, str, tuple of str);
    `editor` names a front end's own editor where a plain one would not do (e.g. "model").
    """

    name: str
    label: str  # what a person reads beside the value
    help: str
    section: str  # one of SECTIONS; "" = not shown
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    decimals: int = 0
    suffix: str = ""  # unit shown after the number, e.g. " MiB"
    zero_text: str = ""  # shown instead of 0 where 0 means something ("one per CPU core")
    grouping: bool = True  # thousands separators (not for port numbers)
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for a closed list
    placeholder: str = ""
    secret: bool = False  # hide what is typed (tokens)
    editor: str = ""


def _setting(
    help_text: str,
    *,
    default: Any,
    label: str = "",
    section: str = "",
    **hints: Any,
) -> Any:
    """A Settings field whose metadata says how to show it (see SettingInfo)."""
    return field(
        default=default, metadata={"help": help_text, "label": label, "section": section, **hints}
    )


@dataclass(frozen=True)
class Settings:
    """Everything a person can change. Edit a copy (`dataclasses.replace`), validate, then save.

    A new setting is one field here: its metadata gives the settings dialog its row.
    """

    model: str = _setting(
        "Model that finds passages by meaning: 'bundled' (built in, offline), 'bundled-fast' "
        "(built in, word vectors only: no second pass) or a sentence-transformers model name "
        "or local folder.",
        default=BUNDLED_MODEL,
        label="Model",
        section="Search",
        editor="model",
    )
    device: str = _setting(
        "Where to run the model: 'auto', 'cpu' or 'cuda'.",
        default="auto",
        label="Run model on",
        section="Search",
        choices=(("auto", "Automatic"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)")),
    )
    chunk_chars: int = _setting(
        "Target passage length in characters (capped by the model's maximum input).",
        # Chosen from the passage-size curve in benchmarks/README.md (bundled transformer).
        default=1200,
        label="Passage length",
        section="Index",
        minimum=200,
        maximum=20000,
        step=100,
        suffix=" characters",
    )
    chunk_overlap: int = _setting(
        "Characters shared by neighbouring passages.",
        # As the length: the curve in benchmarks/README.md (best mean hybrid nDCG@10).
        default=100,
        label="Passage overlap",
        section="Index",
        minimum=0,
        maximum=10000,
        step=25,
        suffix=" characters",
    )
    excludes: tuple[str, ...] = _setting(
        "Files and folders to leave out, one pattern per line. 'drafts/' skips every folder "
        "named drafts; '*.tmp' skips every file ending in .tmp; 'Private/taxes/' skips that "
        "one folder inside an indexed folder; a line starting with '!' takes back a file a "
        "line above skipped (e.g. '!keep.tmp').",
        default=(),
        label="Leave out",
        section="Index",
        placeholder="One pattern per line, for example:\ndrafts/\n*.tmp\nPrivate/taxes/",
    )
    include_hidden: bool = _setting(
        "Index hidden files and folders (names starting with '.').",
        default=False,
        label="Index hidden files and folders",
        section="Index",
    )
    ocr: bool = _setting(
        "Read the text of scanned pages and pictures (PNG, JPEG, TIFF) by text recognition. "
        "It runs after everything else is indexed, at the lowest priority.",
        default=True,
        label="Read scanned pages and pictures (text recognition)",
        section="Index",
    )
    ocr_languages: str = _setting(
        "Languages text recognition reads, as Tesseract codes joined by '+' (e.g. 'eng+deu'). "
        "English, German and Japanese come built in; a system Tesseract adds its languages.",
        default="eng",
        label="Text recognition languages",
        section="Index",
        placeholder="eng, or eng+deu for English and German",
    )
    extraction_workers: int = _setting(
        "How many files are read at the same time, each by a helper process of its own; "
        "0 = as many as the computer has CPU cores. Fewer leaves more of the computer free "
        "while indexing.",
        default=0,
        label="Files read at once",
        section="Advanced",
        minimum=0,
        maximum=64,
        zero_text="One per CPU core",
    )
    file_timeout_s: float = _setting(
        "Seconds one file may take to extract before it is given up as failed.",
        default=60.0,
        label="Time limit per file",
        section="Advanced",
        minimum=1,
        maximum=3600,
        step=5,
        decimals=1,
        suffix=" s",
    )
    worker_memory_mb: int = _setting(
        "Memory cap of one extraction process, in MiB; a file that needs more fails.",
        default=2048,
        label="Memory per process",
        section="Advanced",
        minimum=64,
        maximum=1_000_000,
        step=256,
        suffix=" MiB",
    )
    max_file_mb: int = _setting(
        "Files larger than this (MiB) are skipped and reported.",
        default=500,
        label="Largest file",
        section="Advanced",
        minimum=1,
        maximum=100_000,
        suffix=" MiB",
    )
    batch_chunks: int = _setting(
        "Indexing cuts the text into passages (pieces about a paragraph long) and gathers "
        "this many before saving them to the index (in small parts, so Pause holds at once). "
        "More indexes a little faster; fewer makes new files searchable a little sooner. "
        "512 suits most computers.",
        default=512,
        label="Save to the index every",
        section="Advanced",
        minimum=1,
        maximum=100_000,
        step=64,
        suffix=" passages",
    )
    chroma_host: str = _setting(
        "Leave empty to keep the index on this computer (the usual choice). To keep the "
        "vectors on a shared Chroma server instead, its address, e.g. '192.168.1.20' or "
        "'search.example.org'.",
        default="",
        label="Chroma server host",
        section="Advanced",
        placeholder="empty: on this computer",
    )
    chroma_port: int = _setting(
        "Chroma server port.",
        default=8000,
        label="Chroma server port",
        section="Advanced",
        minimum=1,
        maximum=65535,
        grouping=False,
    )
    chroma_token: str = _setting(
        "Chroma server auth token, if the server needs one.",
        default="",
        label="Chroma server token",
        section="Advanced",
        secret=True,
    )
    results_per_page: int = _setting(
        "Documents shown per search.",
        default=20,
        label="Results per search",
        section="Search",
        minimum=1,
        maximum=500,
    )
    schema_version: int = _setting("Version of this settings format.", default=SCHEMA_VERSION)

    def validate(self) -> None:
        """Raise ConfigError with a message for the first unusable value."""
        if not self.model.strip():
            raise ConfigError("The model name is empty; use 'bundled' for the built-in model.")
        if self.device not in ("auto", "cpu", "cuda", "mps"):
            raise ConfigError(f"Unknown device '{self.device}': use auto, cpu or cuda.")
        if not 200 <= self.chunk_chars <= 20000:
            raise ConfigError("Passage length must be between 200 and 20,000 characters.")
        if not 0 <= self.chunk_overlap < self.chunk_chars // 2:
            raise ConfigError("Passage overlap must be at least 0 and under half the length.")
        if self.extraction_workers < 0 or self.file_timeout_s <= 0 or self.worker_memory_mb < 64:
            raise ConfigError("Extraction workers, time limit and memory cap must be positive.")
        if self.batch_chunks < 1 or self.results_per_page < 1 or self.max_file_mb < 1:
            raise ConfigError(
                "Passages saved together, results per search and the largest file size "
                "must be at least 1."
            )
        if not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", c) for c in self.ocr_language_codes):
            raise ConfigError(
                f"Text recognition languages '{self.ocr_languages}' are not language codes: "
                "use Tesseract's codes joined by '+', e.g. 'eng+deu'."
            )

    @property
    def ocr_language_codes(self) -> tuple[str, ...]:
        """The text recognition languages one by one ("eng+deu" -> ("eng", "deu"))."""
        return tuple(c for c in re.split(r"[+,;\s]+", self.ocr_languages) if c) or ("eng",)

    @classmethod
    def help_for(cls, name: str) -> str:
        return cls.info(name).help

    @classmethod
    def info(cls, name: str) -> SettingInfo:
        """How to show the setting `name` (KeyError if there is none)."""
        for item in cls.infos():
            if item.name == name:
                return item
        raise KeyError(name)

    @classmethod
    def infos(cls) -> tuple[SettingInfo, ...]:
        """Every setting in declaration order, with what a front end needs to show it."""
        return tuple(
            SettingInfo(name=f.name, default=f.default, **dict(f.metadata)) for f in fields(cls)
        )


@dataclass(frozen=True)
class Paths:
    """Where everything lives. One `home` holds the index; settings and logs sit beside it."""

    home: Path
    config_file: Path
    log_dir: Path

    @property
    def sqlite_file(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def ocr_cache_file(self) -> Path:
        # Beside the catalog, not in it: a rebuilt index reuses what was recognised before.
        return self.home / "ocr-cache.sqlite3"

    @property
    def cache_dir(self) -> Path:
        """What can be made again from the home's own content (e.g. the meaning model compiled
        for this CPU): deleting it loses nothing."""
        return self.home / "cache"

    @property
    def lock_file(self) -> Path:
        return self.home / "writer.lock"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "desktop-search.log"

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        """`home` argument, else $DESKTOP_SEARCH_HOME, else the platform's user data folder.

        An explicit home keeps settings and logs inside it, so a home is self-contained and
        tests or scripts never touch the person's real settings.
        """
        chosen = home or os.environ.get(HOME_ENV)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(home=root, config_file=root / "settings.toml", log_dir=root / "logs")
        import platformdirs

        return cls(
            home=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            config_file=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
            / "settings.toml",
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults; unknown keys are logged and ignored."""
    if not path.exists():
        return Settings()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"The settings file '{path}' can't be read: {exc}") from exc
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            log.warning("Ignoring unknown setting %r in %s", key, path)
            continue
        default = getattr(Settings(), key)
        if isinstance(default, tuple):
            value = tuple(value)
        elif (isinstance(default, bool) or not isinstance(value, type(default))) and (
            type(value) is not type(default)
            and not (isinstance(default, float) and isinstance(value, int))
        ):
            raise ConfigError(f"Setting '{key}' in '{path}' should be a {type(default).__name__}.")
        values[key] = value
    settings = replace(Settings(), **values)
    settings.validate()
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Validate, then write atomically (a crash never leaves half a settings file)."""
    import tomli_w

    settings.validate()
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings).items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
