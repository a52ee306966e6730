package server

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// blobStore returns the store of file bodies that chat, announcements,
// reports, approvals and privacy exports share, built once: the directory
// <data-dir>/blobs by default, or with --blob-url s3://bucket/prefix an
// S3-compatible bucket (endpoint, region and credentials from the AWS_*
// variables; docs/operations.md). Each domain seals what it stores with
// its owners' keys on top of it. The referrers of bodies shared between
// owners (a chat attachment saved to a drive) are counted in the database
// (blob.Counted): deleting a body only drops the bytes with the last one.
func (a *App) blobStore() (blob.Store, error) {
	if a.blobs != nil {
		return a.blobs, nil
	}
	if a.Cfg.BlobURL == "" {
		l, err := blob.NewLocal(filepath.Join(a.Cfg.DataDir, "blobs"))
		if err != nil {
			return nil, err
		}
		a.blobs = blob.Count(l, blob.DBRefs{DB: a.DB})
		return a.blobs, nil
	}
	cfg, err := blob.S3ConfigFromEnv(a.Cfg.BlobURL, os.Getenv)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blob.NewS3(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.blobs = blob.Count(s, blob.DBRefs{DB: a.DB})
	a.Log.Info("file bodies are kept in an S3 bucket", "bucket", cfg.Bucket, "prefix", cfg.Prefix, "endpoint", cfg.Endpoint)
	return s, nil
}
