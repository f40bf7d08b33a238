"""Writers and readers for TMX, TSV and JSONL."""
