"""One module (or package) per theorem card; each exposes ``claims() -> list[Claim]``."""
