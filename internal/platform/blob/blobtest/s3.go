// Package blobtest starts a real S3-compatible server for tests: the
// in-memory gofakes3 listening on 127.0.0.1, so that the S3 store is tested
// over HTTP with no external service.
package blobtest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Credentials of the test server.
const (
	AccessKey = "atrium-test"
	SecretKey = "atrium-test-secret"
	Region    = "us-east-1"
)

// S3 is a running S3-compatible test server with one bucket.
type S3 struct {
	// URL is the endpoint (http://127.0.0.1:port).
	URL    string
	Bucket string
	// Client is a client of the server, for looking at the bucket.
	Client *minio.Client
}

// StartS3 starts a server with bucket created; it stops when the test ends.
func StartS3(t testing.TB, bucket string) *S3 {
	t.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: faker.Server()}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	c, err := minio.New(ln.Addr().String(), &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""),
		Region: Region, BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{Region: Region}); err != nil {
		t.Fatal(err)
	}
	return &S3{URL: "http://" + ln.Addr().String(), Bucket: bucket, Client: c}
}

// Env returns the AWS_* variables that point the server's --blob-url at
// this server.
func (s *S3) Env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL": s.URL, "AWS_ACCESS_KEY_ID": AccessKey,
		"AWS_SECRET_ACCESS_KEY": SecretKey, "AWS_REGION": Region}
}

// List names the objects under prefix (with the prefix cut off), sorted.
func (s *S3) List(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	for o := range s.Client.ListObjects(context.Background(), s.Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, strings.TrimPrefix(o.Key, prefix))
	}
	sort.Strings(keys)
	return keys
}

// Get returns the stored bytes of an object.
func (s *S3) Get(t testing.TB, name string) []byte {
	t.Helper()
	o, err := s.Client.GetObject(context.Background(), s.Bucket, name, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Put replaces the stored bytes of an object.
func (s *S3) Put(t testing.TB, name string, b []byte) {
	t.Helper()
	if _, err := s.Client.PutObject(context.Background(), s.Bucket, name, bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Uploads lists the multipart uploads still open under prefix.
func (s *S3) Uploads(t testing.TB, prefix string) []string {
	t.Helper()
	var out []string
	for u := range s.Client.ListIncompleteUploads(context.Background(), s.Bucket, prefix, true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		out = append(out, u.Key)
	}
	return out
}
