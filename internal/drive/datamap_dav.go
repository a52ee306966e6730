package drive

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_dav_props",
		Controller: datamap.Organization,
		Purpose:    "Properties WebDAV clients set on drive files and folders (PROPPATCH); part of their item and deleted with it.",
		Technical:  []string{"item_id", "org_id", "ns", "name", "lang", "value"},
		Erasure:    datamap.Keep,
		Reason:     "part of a drive item (drive_items), which names its creator; deleted with the item",
	})
}
