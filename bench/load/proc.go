package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// rssMB returns the resident set size (VmRSS) and its peak (VmHWM) of pid
// in MiB, read from /proc/<pid>/status.
func rssMB(pid int) (rss, peak float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		for _, k := range []string{"VmRSS:", "VmHWM:"} {
			if strings.HasPrefix(line, k) {
				fields := strings.Fields(line[len(k):])
				if len(fields) > 0 {
					kb, _ := strconv.ParseFloat(fields[0], 64)
					if k == "VmRSS:" {
						rss = kb / 1024
					} else {
						peak = kb / 1024
					}
				}
			}
		}
	}
	return rss, peak, sc.Err()
}
