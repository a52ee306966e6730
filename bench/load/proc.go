package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
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

// clockTicks is the kernel's USER_HZ, the unit of /proc's CPU times (100
// on every Linux architecture Go supports).
const clockTicks = 100

// cpuSample is a reading of CPU time: the server's (utime + stime of its
// process), this tool's own, and the machine's busy time, in seconds.
type cpuSample struct {
	at                  time.Time
	server, tool, busy  float64
	serverOK, machineOK bool
}

// procCPU returns the CPU seconds (user + system) pid has used, from
// /proc/<pid>/stat.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64) // field 14: utime
	st, _ := strconv.ParseFloat(f[12], 64) // field 15: stime
	return (ut + st) / clockTicks, nil
}

// machineBusy returns the CPU seconds every core of the machine has spent
// busy (all but idle and iowait), from /proc/stat.
func machineBusy() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("unreadable /proc/stat")
	}
	var busy float64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	return busy / clockTicks, nil
}

// toolCPU returns this process's CPU seconds.
func toolCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// sampleCPU reads the server's, the tool's and the machine's CPU time now.
func sampleCPU(pid int) cpuSample {
	s := cpuSample{at: time.Now(), tool: toolCPU()}
	var err error
	if pid > 0 {
		s.server, err = procCPU(pid)
		s.serverOK = err == nil
	}
	s.busy, err = machineBusy()
	s.machineOK = err == nil
	return s
}

// cpuUse is what was spent between two samples, in cores (CPU seconds per
// second of the interval): the server, this tool, and everything else on
// the machine (other programs, the database server when it runs here).
type cpuUse struct {
	Seconds                 float64
	ServerCPU, ToolCPU      float64 // seconds
	ServerCores, ToolCores  float64
	OtherCores              float64
	ServerKnown, OtherKnown bool
}

func usage(a, b cpuSample) cpuUse {
	u := cpuUse{Seconds: b.at.Sub(a.at).Seconds(), ToolCPU: b.tool - a.tool}
	if u.Seconds <= 0 {
		return u
	}
	u.ToolCores = u.ToolCPU / u.Seconds
	if a.serverOK && b.serverOK {
		u.ServerKnown = true
		u.ServerCPU = b.server - a.server
		u.ServerCores = u.ServerCPU / u.Seconds
	}
	if a.machineOK && b.machineOK {
		u.OtherKnown = true
		u.OtherCores = max(0, (b.busy-a.busy)-u.ServerCPU-u.ToolCPU) / u.Seconds
	}
	return u
}
