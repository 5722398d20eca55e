"""Cryptocurrency wallet addresses: Bitcoin (Base58Check, bech32/bech32m) and Ethereum."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tracemask._finding import Finding
from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector

#: What every Base58 match holds from its start: a "1" or "3" and 25 more Base58 characters.
#: A plain character class first: ``re`` skips to the next "1" or "3" in C, where the
#: pattern's lookarounds make it stop at every position.
_BASE58_RUN = re.compile(r"[13][1-9A-HJ-NP-Za-km-z]{25}")


class CryptoWalletDetector(PatternDetector):
    """BTC P2PKH/P2SH (checksummed), BTC segwit (bech32 checksummed), ETH (``0x`` + 40 hex)."""

    entity = "CRYPTO"
    # A Base58 address holds a letter: requiring one (rather than 25 Base58 characters) keeps
    # the prefilter linear on long digit runs ("1" * 10**6 made Hyperscan quadratic).
    # Not the patterns' whole shape ("[13]" and 25 base58 characters, which would spare the
    # detector "1st" and "10am"): in the combined Hyperscan database that made the prefilter
    # quadratic on digit runs (1.6 MB of "1": 3 s instead of 8 ms). Check with
    # benchmarks/bench_pathological.py before tightening it.
    trigger = (
        r"[13][1-9A-HJ-NP-Za-km-z]{0,24}[A-HJ-NP-Za-km-z]|bc1[02-9ac-hj-np-z]{8}|0x[0-9a-fA-F]{40}"
    )
    ignore_case = False
    # Each pattern opens with a lookahead on its first character: ``re`` then skips to
    # candidate positions (a lookbehind first makes it try every position): 2x faster.
    patterns = (
        r"(?=[13])(?<![A-Za-z0-9])(?P<value>[13](?=[1-9]*[A-HJ-NP-Za-km-z])[1-9A-HJ-NP-Za-km-z]{25,34})"
        r"(?![A-Za-z0-9])",
        r"(?=bc1)(?<![A-Za-z0-9])(?P<value>bc1[02-9ac-hj-np-z]{8,87})(?![A-Za-z0-9])",
        r"(?=0x)(?<![A-Za-z0-9])(?P<value>0x[0-9a-fA-F]{40})(?![A-Za-z0-9])",
    )
    # A bech32 and an Ethereum address start with their prefix (the match starts there): the
    # search jumps from one "bc1" / "0x" to the next (``str.find``) instead of trying every
    # position. The Base58 one has no literal.
    anchors = (None, ("bc1", 0), ("0x", 0))
    context = ("wallet", "bitcoin", "btc", "eth", "ethereum", "address", "crypto", "send to")
    score = 0.9

    def detect(self, text: str) -> Iterator[Finding]:
        # Most strings the trigger sends ("1st", "10am", a hex id with "3f") hold no run of 26
        # Base58 characters, no "bc1" and no "0x": no pattern can match, none is run.
        if "bc1" not in text and "0x" not in text and _BASE58_RUN.search(text) is None:
            return iter(())
        return super().detect(text)

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if value.startswith("0x"):
            # Without keccak (not in hashlib) EIP-55 cannot be checked; 0x+40 hex is also how
            # other 160-bit digests are written, so it scores lower and context decides.
            return 0.55
        if value.startswith("bc1"):
            return self.score if validators.bech32(value) else None
        return self.score if validators.base58check(value) else None
