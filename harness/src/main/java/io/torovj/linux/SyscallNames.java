package io.torovj.linux;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Linux x86-64 system call table: number to name and back.
 *
 * <p>The {@code put} lines below were generated, not typed, from
 * {@code /usr/include/x86_64-linux-gnu/asm/unistd_64.h} of Debian 12's linux-libc-dev
 * 6.1.187-1 (numbers 0 .. 450, 362 calls; 335 .. 423 are unassigned on x86-64) with
 * <pre>
 * sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$/            put(\2, "\1");/p' unistd_64.h
 * </pre>
 * To follow a newer kernel, regenerate the block the same way; nothing else changes.
 *
 * <p>Numbers are the values the guest puts in {@code rax}; they are the same for every
 * x86-64 kernel because the ABI never renumbers a call.
 */
public final class SyscallNames {
    /** Names indexed by number; null where the number is unassigned. */
    private static final String[] NAMES;
    private static final Map<String, Integer> NUMBERS;
    private static final Set<String> ALL;

    static {
        Table table = new Table();
        table.fill();
        NAMES = table.names;
        Map<String, Integer> numbers = new HashMap<>();
        Set<String> all = new LinkedHashSet<>();
        for (int nr = 0; nr < NAMES.length; nr++) {
            if (NAMES[nr] != null) {
                numbers.put(NAMES[nr], nr);
                all.add(NAMES[nr]);
            }
        }
        NUMBERS = Map.copyOf(numbers);
        ALL = Collections.unmodifiableSet(all);
    }

    private SyscallNames() {}

    /** The number of the call named {@code name} (e.g. "openat" gives 257), or -1 if unknown or null. */
    public static int number(String name) {
        if (name == null) return -1;
        Integer nr = NUMBERS.get(name);
        return nr == null ? -1 : nr;
    }

    /** The name of call {@code nr}, or null if no call has that number (any int, negative included). */
    public static String name(int nr) {
        return nr >= 0 && nr < NAMES.length ? NAMES[nr] : null;
    }

    /** True if {@code name} is the name of an x86-64 system call. */
    public static boolean isKnown(String name) {
        return number(name) >= 0;
    }

    /** Every known name, unmodifiable, in ascending number order. */
    public static Set<String> allNames() {
        return ALL;
    }

    /**
     * One more than the highest assigned number (451 here): an array of this length can be
     * indexed by any known syscall number.
     */
    public static int tableSize() {
        return NAMES.length;
    }

    /** Builds the number-indexed array; a separate class keeps the generated block apart. */
    private static final class Table {
        private String[] names = new String[0];

        private void put(int nr, String name) {
            if (nr >= names.length) names = Arrays.copyOf(names, nr + 1);
            names[nr] = name;
        }

        private void fill() {
            put(0, "read");
            put(1, "write");
            put(2, "open");
            put(3, "close");
            put(4, "stat");
            put(5, "fstat");
            put(6, "lstat");
            put(7, "poll");
            put(8, "lseek");
            put(9, "mmap");
            put(10, "mprotect");
            put(11, "munmap");
            put(12, "brk");
            put(13, "rt_sigaction");
            put(14, "rt_sigprocmask");
            put(15, "rt_sigreturn");
            put(16, "ioctl");
            put(17, "pread64");
            put(18, "pwrite64");
            put(19, "readv");
            put(20, "writev");
            put(21, "access");
            put(22, "pipe");
            put(23, "select");
            put(24, "sched_yield");
            put(25, "mremap");
            put(26, "msync");
            put(27, "mincore");
            put(28, "madvise");
            put(29, "shmget");
            put(30, "shmat");
            put(31, "shmctl");
            put(32, "dup");
            put(33, "dup2");
            put(34, "pause");
            put(35, "nanosleep");
            put(36, "getitimer");
            put(37, "alarm");
            put(38, "setitimer");
            put(39, "getpid");
            put(40, "sendfile");
            put(41, "socket");
            put(42, "connect");
            put(43, "accept");
            put(44, "sendto");
            put(45, "recvfrom");
            put(46, "sendmsg");
            put(47, "recvmsg");
            put(48, "shutdown");
            put(49, "bind");
            put(50, "listen");
            put(51, "getsockname");
            put(52, "getpeername");
            put(53, "socketpair");
            put(54, "setsockopt");
            put(55, "getsockopt");
            put(56, "clone");
            put(57, "fork");
            put(58, "vfork");
            put(59, "execve");
            put(60, "exit");
            put(61, "wait4");
            put(62, "kill");
            put(63, "uname");
            put(64, "semget");
            put(65, "semop");
            put(66, "semctl");
            put(67, "shmdt");
            put(68, "msgget");
            put(69, "msgsnd");
            put(70, "msgrcv");
            put(71, "msgctl");
            put(72, "fcntl");
            put(73, "flock");
            put(74, "fsync");
            put(75, "fdatasync");
            put(76, "truncate");
            put(77, "ftruncate");
            put(78, "getdents");
            put(79, "getcwd");
            put(80, "chdir");
            put(81, "fchdir");
            put(82, "rename");
            put(83, "mkdir");
            put(84, "rmdir");
            put(85, "creat");
            put(86, "link");
            put(87, "unlink");
            put(88, "symlink");
            put(89, "readlink");
            put(90, "chmod");
            put(91, "fchmod");
            put(92, "chown");
            put(93, "fchown");
            put(94, "lchown");
            put(95, "umask");
            put(96, "gettimeofday");
            put(97, "getrlimit");
            put(98, "getrusage");
            put(99, "sysinfo");
            put(100, "times");
            put(101, "ptrace");
            put(102, "getuid");
            put(103, "syslog");
            put(104, "getgid");
            put(105, "setuid");
            put(106, "setgid");
            put(107, "geteuid");
            put(108, "getegid");
            put(109, "setpgid");
            put(110, "getppid");
            put(111, "getpgrp");
            put(112, "setsid");
            put(113, "setreuid");
            put(114, "setregid");
            put(115, "getgroups");
            put(116, "setgroups");
            put(117, "setresuid");
            put(118, "getresuid");
            put(119, "setresgid");
            put(120, "getresgid");
            put(121, "getpgid");
            put(122, "setfsuid");
            put(123, "setfsgid");
            put(124, "getsid");
            put(125, "capget");
            put(126, "capset");
            put(127, "rt_sigpending");
            put(128, "rt_sigtimedwait");
            put(129, "rt_sigqueueinfo");
            put(130, "rt_sigsuspend");
            put(131, "sigaltstack");
            put(132, "utime");
            put(133, "mknod");
            put(134, "uselib");
            put(135, "personality");
            put(136, "ustat");
            put(137, "statfs");
            put(138, "fstatfs");
            put(139, "sysfs");
            put(140, "getpriority");
            put(141, "setpriority");
            put(142, "sched_setparam");
            put(143, "sched_getparam");
            put(144, "sched_setscheduler");
            put(145, "sched_getscheduler");
            put(146, "sched_get_priority_max");
            put(147, "sched_get_priority_min");
            put(148, "sched_rr_get_interval");
            put(149, "mlock");
            put(150, "munlock");
            put(151, "mlockall");
            put(152, "munlockall");
            put(153, "vhangup");
            put(154, "modify_ldt");
            put(155, "pivot_root");
            put(156, "_sysctl");
            put(157, "prctl");
            put(158, "arch_prctl");
            put(159, "adjtimex");
            put(160, "setrlimit");
            put(161, "chroot");
            put(162, "sync");
            put(163, "acct");
            put(164, "settimeofday");
            put(165, "mount");
            put(166, "umount2");
            put(167, "swapon");
            put(168, "swapoff");
            put(169, "reboot");
            put(170, "sethostname");
            put(171, "setdomainname");
            put(172, "iopl");
            put(173, "ioperm");
            put(174, "create_module");
            put(175, "init_module");
            put(176, "delete_module");
            put(177, "get_kernel_syms");
            put(178, "query_module");
            put(179, "quotactl");
            put(180, "nfsservctl");
            put(181, "getpmsg");
            put(182, "putpmsg");
            put(183, "afs_syscall");
            put(184, "tuxcall");
            put(185, "security");
            put(186, "gettid");
            put(187, "readahead");
            put(188, "setxattr");
            put(189, "lsetxattr");
            put(190, "fsetxattr");
            put(191, "getxattr");
            put(192, "lgetxattr");
            put(193, "fgetxattr");
            put(194, "listxattr");
            put(195, "llistxattr");
            put(196, "flistxattr");
            put(197, "removexattr");
            put(198, "lremovexattr");
            put(199, "fremovexattr");
            put(200, "tkill");
            put(201, "time");
            put(202, "futex");
            put(203, "sched_setaffinity");
            put(204, "sched_getaffinity");
            put(205, "set_thread_area");
            put(206, "io_setup");
            put(207, "io_destroy");
            put(208, "io_getevents");
            put(209, "io_submit");
            put(210, "io_cancel");
            put(211, "get_thread_area");
            put(212, "lookup_dcookie");
            put(213, "epoll_create");
            put(214, "epoll_ctl_old");
            put(215, "epoll_wait_old");
            put(216, "remap_file_pages");
            put(217, "getdents64");
            put(218, "set_tid_address");
            put(219, "restart_syscall");
            put(220, "semtimedop");
            put(221, "fadvise64");
            put(222, "timer_create");
            put(223, "timer_settime");
            put(224, "timer_gettime");
            put(225, "timer_getoverrun");
            put(226, "timer_delete");
            put(227, "clock_settime");
            put(228, "clock_gettime");
            put(229, "clock_getres");
            put(230, "clock_nanosleep");
            put(231, "exit_group");
            put(232, "epoll_wait");
            put(233, "epoll_ctl");
            put(234, "tgkill");
            put(235, "utimes");
            put(236, "vserver");
            put(237, "mbind");
            put(238, "set_mempolicy");
            put(239, "get_mempolicy");
            put(240, "mq_open");
            put(241, "mq_unlink");
            put(242, "mq_timedsend");
            put(243, "mq_timedreceive");
            put(244, "mq_notify");
            put(245, "mq_getsetattr");
            put(246, "kexec_load");
            put(247, "waitid");
            put(248, "add_key");
            put(249, "request_key");
            put(250, "keyctl");
            put(251, "ioprio_set");
            put(252, "ioprio_get");
            put(253, "inotify_init");
            put(254, "inotify_add_watch");
            put(255, "inotify_rm_watch");
            put(256, "migrate_pages");
            put(257, "openat");
            put(258, "mkdirat");
            put(259, "mknodat");
            put(260, "fchownat");
            put(261, "futimesat");
            put(262, "newfstatat");
            put(263, "unlinkat");
            put(264, "renameat");
            put(265, "linkat");
            put(266, "symlinkat");
            put(267, "readlinkat");
            put(268, "fchmodat");
            put(269, "faccessat");
            put(270, "pselect6");
            put(271, "ppoll");
            put(272, "unshare");
            put(273, "set_robust_list");
            put(274, "get_robust_list");
            put(275, "splice");
            put(276, "tee");
            put(277, "sync_file_range");
            put(278, "vmsplice");
            put(279, "move_pages");
            put(280, "utimensat");
            put(281, "epoll_pwait");
            put(282, "signalfd");
            put(283, "timerfd_create");
            put(284, "eventfd");
            put(285, "fallocate");
            put(286, "timerfd_settime");
            put(287, "timerfd_gettime");
            put(288, "accept4");
            put(289, "signalfd4");
            put(290, "eventfd2");
            put(291, "epoll_create1");
            put(292, "dup3");
            put(293, "pipe2");
            put(294, "inotify_init1");
            put(295, "preadv");
            put(296, "pwritev");
            put(297, "rt_tgsigqueueinfo");
            put(298, "perf_event_open");
            put(299, "recvmmsg");
            put(300, "fanotify_init");
            put(301, "fanotify_mark");
            put(302, "prlimit64");
            put(303, "name_to_handle_at");
            put(304, "open_by_handle_at");
            put(305, "clock_adjtime");
            put(306, "syncfs");
            put(307, "sendmmsg");
            put(308, "setns");
            put(309, "getcpu");
            put(310, "process_vm_readv");
            put(311, "process_vm_writev");
            put(312, "kcmp");
            put(313, "finit_module");
            put(314, "sched_setattr");
            put(315, "sched_getattr");
            put(316, "renameat2");
            put(317, "seccomp");
            put(318, "getrandom");
            put(319, "memfd_create");
            put(320, "kexec_file_load");
            put(321, "bpf");
            put(322, "execveat");
            put(323, "userfaultfd");
            put(324, "membarrier");
            put(325, "mlock2");
            put(326, "copy_file_range");
            put(327, "preadv2");
            put(328, "pwritev2");
            put(329, "pkey_mprotect");
            put(330, "pkey_alloc");
            put(331, "pkey_free");
            put(332, "statx");
            put(333, "io_pgetevents");
            put(334, "rseq");
            put(424, "pidfd_send_signal");
            put(425, "io_uring_setup");
            put(426, "io_uring_enter");
            put(427, "io_uring_register");
            put(428, "open_tree");
            put(429, "move_mount");
            put(430, "fsopen");
            put(431, "fsconfig");
            put(432, "fsmount");
            put(433, "fspick");
            put(434, "pidfd_open");
            put(435, "clone3");
            put(436, "close_range");
            put(437, "openat2");
            put(438, "pidfd_getfd");
            put(439, "faccessat2");
            put(440, "process_madvise");
            put(441, "epoll_pwait2");
            put(442, "mount_setattr");
            put(443, "quotactl_fd");
            put(444, "landlock_create_ruleset");
            put(445, "landlock_add_rule");
            put(446, "landlock_restrict_self");
            put(447, "memfd_secret");
            put(448, "process_mrelease");
            put(449, "futex_waitv");
            put(450, "set_mempolicy_home_node");
        }
    }
}
