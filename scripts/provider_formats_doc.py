"""Print the provider-format table of docs/detectors.md from the format table (keeps them equal).

python scripts/provider_formats_doc.py > /tmp/formats.md
"""

from __future__ import annotations

from tracemask.detectors.secrets._formats import FORMATS, GITLEAKS, TRUFFLEHOG


def _source(source: str) -> str:
    kind, _, ref = source.partition(":")
    if kind == "docs":
        host = ref.split("/")[2]
        return f"[{host}]({ref})"
    if kind == "gitleaks":
        return f"[gitleaks `{ref}`]({GITLEAKS})"
    return f"[trufflehog `{ref}`]({TRUFFLEHOG}{ref})"


def main() -> None:
    print("| format | kind | source |")
    print("|---|---|---|")
    for fmt in FORMATS:
        kind = "prefix" if fmt.distinctive else ("keyed" if "(keyed" in fmt.name else "shape")
        print(f"| {fmt.name} | {kind} | {_source(fmt.source)} |")


if __name__ == "__main__":
    main()
