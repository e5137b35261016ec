//go:build !unix

package bench

import (
	"context"
	"os"
	"os/exec"
)

// maxRSS is unknown outside unix.
func maxRSS(*os.ProcessState) int64 { return 0 }

// cappedCommand is name with args, killed when ctx is done; outside unix
// there is no memory limit.
func cappedCommand(ctx context.Context, _ int64, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, name, args...)
}
