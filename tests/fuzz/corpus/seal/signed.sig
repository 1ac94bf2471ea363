{
  "files": [
    {
      "digest": "913d40e301523e6feb9f44bdbcb94b371ce860a95f3f4a6e41b935f84595e4c4",
      "path": "README.md",
      "size": 576
    },
    {
      "digest": "b65cad7902c3dfcc864938ab7fcc089fa6f37db2b68aad47de06329511c62dd6",
      "path": "__init__.py",
      "size": 1365
    },
    {
      "digest": "7dea4929f480d51e3b87812439e09b6f50dae9f2e7fe51135bfd694702b0effa",
      "path": "manifest.json",
      "size": 165
    },
    {
      "digest": "96b4e539d87a69db6aa721c509bc3f54b2f71f67d359e8fbe5c185ee20f09fd1",
      "path": "permit.json",
      "size": 698
    }
  ],
  "format": 1,
  "hash": "blake2b-tree-256",
  "key_id": "5A5A55465A5A5546",
  "manifest": "9d079817f66d56f390228329f61f5d4b1b6995d36ae500ac9824688d3d10b7df",
  "signature": "dIgLGW4aj0fOB86MZpcYJVEda6CVefYj1vGBQgsg+3NxbfpRN6+pjjfjDYMsDd91WncK9BsiEIqWCLleWyBLCg==",
  "signed_at": 1795420800
}
