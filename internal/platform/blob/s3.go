package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 is a Store in a bucket of an S3-compatible object store (Amazon S3,
// MinIO, Ceph, Garage, …): the body of key k is the object <prefix>k. It
// stores exactly the bytes the local store would (sealed bodies stay sealed:
// Envelope wraps either), so several nodes on one PostgreSQL database share
// their files through it.
//
// Uploads stream: a body of unknown length goes up as a multipart upload in
// parts of partSize bytes, so one upload holds one part in memory, never the
// whole file; a failed or oversized upload is aborted and leaves nothing.
type S3 struct {
	c        *minio.Client
	bucket   string
	prefix   string
	partSize uint64
}

// S3Config says where an S3 store is and how to sign in to it.
type S3Config struct {
	Bucket string
	// Prefix is prepended to every object name ("" or ending in "/").
	Prefix string
	// Endpoint is the URL of the server (https://s3.amazonaws.com when
	// empty). A custom endpoint is addressed path-style
	// (https://host/bucket/object), which every S3-compatible server serves.
	Endpoint string
	Region   string
	// AccessKey, SecretKey and SessionToken are the credentials; without an
	// access key, the standard AWS chain is asked (environment, shared
	// credentials file, instance role).
	AccessKey, SecretKey, SessionToken string
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
	// PartSize is the size of one part of a multipart upload (16 MiB when
	// 0; at least 5 MiB): the memory one upload in flight holds, and a
	// body's largest size is 10,000 parts.
	PartSize uint64
}

// DefaultPartSize is the part size of multipart uploads: one upload in
// flight holds this much memory, and a body may have up to 10,000 parts
// (156 GiB).
const DefaultPartSize = 16 << 20

// ParseURL reads a --blob-url of the form s3://bucket/prefix into its
// bucket and prefix (the prefix ends with "/" unless empty).
func ParseURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", errors.New("must be s3://bucket or s3://bucket/prefix")
	}
	prefix = strings.Trim(u.Path, "/")
	if strings.Contains(prefix, "//") || strings.Contains("/"+prefix+"/", "/../") || strings.Contains("/"+prefix+"/", "/./") {
		return "", "", errors.New("the prefix must be a plain path")
	}
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// S3ConfigFromEnv returns the configuration of blobURL (s3://bucket/prefix)
// with the endpoint, region and credentials of the usual AWS variables:
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION or
// AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN.
func S3ConfigFromEnv(blobURL string, getenv func(string) string) (S3Config, error) {
	bucket, prefix, err := ParseURL(blobURL)
	if err != nil {
		return S3Config{}, err
	}
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	return S3Config{Bucket: bucket, Prefix: prefix,
		Endpoint:  first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		Region:    first("AWS_REGION", "AWS_DEFAULT_REGION"),
		AccessKey: getenv("AWS_ACCESS_KEY_ID"), SecretKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN"),
	}, nil
}

// NewS3 connects to the bucket of cfg and checks that it exists.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob: s3: no bucket")
	}
	endpoint, secure, lookup := "s3.amazonaws.com", true, minio.BucketLookupAuto
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("blob: s3: the endpoint %q must be http(s)://host[:port]", cfg.Endpoint)
		}
		endpoint, secure, lookup = u.Host, u.Scheme == "https", minio.BucketLookupPath
	}
	var creds *credentials.Credentials
	if cfg.AccessKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}, &credentials.IAM{},
		})
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: secure, Region: cfg.Region, BucketLookup: lookup, Transport: cfg.Transport})
	if err != nil {
		return nil, fmt.Errorf("blob: s3: %w", err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3: bucket %s at %s: %w", cfg.Bucket, endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3: bucket %s does not exist at %s (create it first)", cfg.Bucket, endpoint)
	}
	ps := cfg.PartSize
	if ps == 0 {
		ps = DefaultPartSize
	}
	if ps < 5<<20 {
		return nil, errors.New("blob: s3: the part size must be at least 5 MiB")
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, partSize: ps}, nil
}

func (s *S3) name(key string) string { return s.prefix + key }

// errOverLimit stops an upload that passed its limit.
var errOverLimit = errors.New("blob: over the limit")

// meter counts and hashes what an upload reads, and fails it past limit.
type meter struct {
	r     io.Reader
	h     hash.Hash
	n     int64
	limit int64
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	m.h.Write(p[:n])
	if m.limit > 0 && m.n > m.limit {
		return n, errOverLimit
	}
	return n, err
}

// Put implements Store: the body streams to a new object (a multipart
// upload in parts of partSize); the key is returned once the object is
// complete, which S3 makes durable. A body over limit, a failed read or a
// cancelled context aborts the upload, and nothing is kept.
func (s *S3) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	var kb [keyLen / 2]byte
	if _, err := rand.Read(kb[:]); err != nil {
		return Info{}, err
	}
	key := hex.EncodeToString(kb[:])
	m := &meter{r: ctxReader{ctx, r}, h: sha256.New(), limit: limit}
	_, err := s.c.PutObject(ctx, s.bucket, s.name(key), m, -1, minio.PutObjectOptions{
		PartSize: s.partSize, ContentType: "application/octet-stream",
		// Each part carries its MD5 for the server to check, and the
		// payload is not signed a second time (UNSIGNED-PAYLOAD): over
		// https the connection protects it, sealed bodies are
		// authenticated on every read, and not every S3-compatible
		// server decodes the chunked signing of plain-http uploads.
		SendContentMd5: true, DisableContentSha256: true})
	if err != nil {
		// A body that ended inside the first part went up in one PUT, which
		// a read error can no longer stop: make sure nothing stays.
		_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, s.name(key), minio.RemoveObjectOptions{})
		if errors.Is(err, errOverLimit) || (limit > 0 && m.n > limit) {
			return Info{}, ErrTooLarge
		}
		return Info{}, fmt.Errorf("blob: s3 put: %w", err)
	}
	if limit > 0 && m.n > limit {
		_ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, s.name(key), minio.RemoveObjectOptions{})
		return Info{}, ErrTooLarge
	}
	return Info{Key: key, Size: m.n, SHA256: hex.EncodeToString(m.h.Sum(nil))}, nil
}

func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == minio.NoSuchKey || code == "NotFound"
}

// Open implements Store. The object is read lazily: a seek starts a ranged
// GET at the new offset (HTTP range requests of downloads).
func (s *S3) Open(ctx context.Context, key string) (Object, int64, error) {
	if !validKey(key) {
		return nil, 0, ErrNotFound
	}
	o, err := s.c.GetObject(ctx, s.bucket, s.name(key), minio.GetObjectOptions{})
	if err != nil {
		if notFound(err) {
			return nil, 0, ErrNotFound
		}
		return nil, 0, fmt.Errorf("blob: s3 open: %w", err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		if notFound(err) {
			return nil, 0, ErrNotFound
		}
		return nil, 0, fmt.Errorf("blob: s3 open: %w", err)
	}
	return o, st.Size, nil
}

// Delete implements Store: the object is removed from the bucket (in a
// versioned bucket S3 keeps older versions; see docs/operations.md).
func (s *S3) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	err := s.c.RemoveObject(ctx, s.bucket, s.name(key), minio.RemoveObjectOptions{})
	if err != nil && !notFound(err) {
		return fmt.Errorf("blob: s3 delete: %w", err)
	}
	return nil
}
