//go:build unix

package bench

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
)

// maxRSS is the peak resident set size of the finished process, in bytes
// (getrusage ru_maxrss: kilobytes on Linux, bytes on Darwin).
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

// cappedCommand is name with args under an address-space limit of limit
// bytes (ulimit -v; a lower limit already in place stays), killed when ctx
// is done. /bin/sh sets the limit and execs the command, so the process,
// its exit status and its rusage are the command's.
func cappedCommand(ctx context.Context, limit int64, name string, args ...string) *exec.Cmd {
	sh := append([]string{"-c", `ulimit -v "$0" 2>/dev/null; exec "$@"`, strconv.FormatInt(limit>>10, 10), name}, args...)
	return exec.CommandContext(ctx, "/bin/sh", sh...)
}
