/*
 * sys.h - system calls that never touch errno, for the spawned child.
 *
 * The child shares our memory and, without CLONE_VFORK, runs while we do:
 * glibc's wrappers would write its errors into our thread's errno.  These
 * return -errno instead.  Where there is no inline form the glibc syscall()
 * is used, and spawns keep the parent waiting (CLONE_VFORK): see spawn.c.
 */
#ifndef RR_SYS_H
#define RR_SYS_H

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define RR_RAW_SYSCALLS 1
static inline __attribute__((always_inline)) long
rr_sys(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define RR_RAW_SYSCALLS 1
static inline __attribute__((always_inline)) long
rr_sys(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory", "cc");
	return x0;
}
#else
#define RR_RAW_SYSCALLS 0
static inline long rr_sys(long n, long a, long b, long c, long d)
{
	long r = syscall(n, a, b, c, d);

	return r < 0 ? -errno : r;
}
#endif

/* make portability cross-compiles with this: the raw branch must be taken. */
#if defined(RR_WANT_RAW_SYSCALLS) && !RR_RAW_SYSCALLS
#error "lib/proc/sys.h has no raw system calls for this architecture"
#endif

#endif
