{
  "files": [
    {
      "digest": "8c59cd2e41f9695d61ae310608f01811c73a137b6f399bfd7e044a80ca230f8a",
      "path": "__init__.py",
      "size": 37
    },
    {
      "digest": "96b4e539d87a69db6aa721c509bc3f54b2f71f67d359e8fbe5c185ee20f09fd1",
      "path": "permit.json",
      "size": 698
    }
  ],
  "format": 1,
  "hash": "blake2b-tree-256",
  "key_id": "F9C73290AF783DD4",
  "manifest": "9d079817f66d56f390228329f61f5d4b1b6995d36ae500ac9824688d3d10b7df",
  "signature": "fh1bMg9FZR3a/x+5FXt4+SRkYMEVNXCAvm5EteUg/ZILPNowWv+5G9p9/YF8K4qEgxUHS84qJfPRsavbkpPCAQ==",
  "signed_at": 1795441743
}
