package drive

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_thumbs",
		Controller: datamap.Organization,
		Purpose:    "Thumbnails of drive pictures and PDFs (256 and 1024 pixels, no metadata), made from a file body and sealed under the same key in the file store; derived from the body, left out of exports (the file itself is there), deleted with the body, erasure included.",
		Technical:  []string{"blob_key", "size", "org_id", "thumb_key", "content_type", "width", "height", "bytes", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "derived from a file body (drive_blobs), which names its owner; deleted with it, bytes included",
	})
}
