package server

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// driveThumbSweepJob deletes thumbnails whose file body is gone.
const driveThumbSweepJob = "drive.thumbnail_sweep"

// wireDriveThumbs makes the drive's thumbnails in the background: pictures
// always, PDFs when poppler's pdftoppm is on PATH (looked for once, at
// start).
func (a *App) wireDriveThumbs(svc *drive.Service) {
	q := a.Jobs()
	if q == nil || svc.Blobs == nil {
		return
	}
	t := &drive.Thumbnails{Jobs: q, PDFToPPM: drive.FindPDFToPPM()}
	if t.PDFToPPM != "" {
		a.Log.Info("drive: PDF thumbnails by pdftoppm", "path", t.PDFToPPM)
	} else {
		a.Log.Info("drive: pdftoppm not found (Debian: poppler-utils): PDFs get no thumbnail")
	}
	svc.Thumbs = t
	q.Handle(drive.ThumbJob, svc.ThumbnailJob)
	q.Handle(driveThumbSweepJob, func(ctx context.Context, _ *jobs.Job) error {
		_, err := svc.SweepThumbnails(ctx)
		return err
	})
	q.Every(driveThumbSweepJob, time.Hour, nil)
}
