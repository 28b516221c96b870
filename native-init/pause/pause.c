/*
 * jshim-pause: the Kubernetes sandbox ("pause") container's program, as a tiny static binary.
 *
 * Same behaviour as Kubernetes' build/pause/linux/pause.c: it holds the pod's namespaces open by
 * doing nothing. SIGINT and SIGTERM end it with status 0; as PID 1 of the pod's PID namespace
 * (shareProcessNamespace) it reaps every orphan on SIGCHLD. `-v` prints the version and exits.
 *
 * Built statically (no libc or loader in the image) by native-init/Makefile into
 * build/jshim-pause; `make install` puts it at $(PREFIX)/libexec/jshim/jshim-pause, and
 * deploy/pause/build-image.sh packs it as /pause into an OCI image.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef JSHIM_VERSION
#define JSHIM_VERSION "unknown"
#endif

static void sigdown(int signo)
{
    psignal(signo, "Shutting down, got signal");
    _exit(0);
}

static void sigreap(int signo)
{
    (void)signo;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            printf("jshim-pause version %s\n", JSHIM_VERSION);
            return 0;
        }
    }

    if (getpid() != 1)
        /* Not an error: tests and debugging run it outside a PID namespace. */
        fprintf(stderr, "Warning: pause should be the first process\n");

    struct sigaction down = { .sa_handler = sigdown };
    sigemptyset(&down.sa_mask);
    if (sigaction(SIGINT, &down, NULL) < 0)
        return 1;
    if (sigaction(SIGTERM, &down, NULL) < 0)
        return 2;

    struct sigaction reap = { .sa_handler = sigreap, .sa_flags = SA_NOCLDSTOP | SA_RESTART };
    sigemptyset(&reap.sa_mask);
    if (sigaction(SIGCHLD, &reap, NULL) < 0)
        return 3;

    for (;;)
        pause();
    fprintf(stderr, "Error: infinite loop terminated\n");
    return 42;
}
