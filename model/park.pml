/*
 * park.pml - SPIN model of gmp's spinning/park/unpark protocol.
 *
 * The protocol is the one written as steps S1..S3 (submitter) and G1..G4
 * (spinner giving up) in the essay at the top of sched/proc.c. Each
 * section below names the C function, and the step, it stands for.
 * model/README.md says what is abstracted and why; scripts/spin-check.sh
 * runs the checks.
 *
 * Steps. A Promela statement is indivisible, and so is an atomic { }
 * block (until it blocks or jumps out). Each step below makes at most ONE
 * access to state that another thread can see, in the order of the C
 * code; the local work after it (branches on locals, ghost counters) is
 * folded into the same step, which hides no interleaving that another
 * thread could observe. The only steps with several shared accesses are
 * a critical section of gmp_sched.lock (an atomic block that begins with
 * "L == 0") and one atomic RMW of the C code (cmpxchg, xchg,
 * atomic_dec_return()).
 *
 * Memory model. SPIN interleaves steps: sequential consistency. The two
 * full barriers of the protocol (PK:A in S2, PK:B in G2) are what make
 * the C code behave so where it matters; -DBUG_NO_PKA and -DBUG_NO_PKB
 * model the store->load reordering that each barrier forbids.
 *
 * Configuration (spin -a -DNAME=value):
 *   NP       Ps (GOMAXPROCS): 2 or 3
 *   NMX      M slots: the NP Ms of gmp_schedinit() plus spares that
 *            gmp_newm_workfn() may start; a run that needs more is cut
 *            (not checked further) -- see "cut"
 *   NSUB     submitters outside gmp: the first calls gmp_g_start() with
 *            no P, the second gmp_ready() with no P, any others (or a
 *            lone one, or all with SUB_ANY) either; SUBKIND=k makes
 *            them all of kind k (0 gmp_g_start(), 1 gmp_ready(), 2 either)
 *   GPER     Gs each of them submits
 *   NSPAWN   Gs started by running Gs on their own P (runnext)
 *   BOOT     start as gmp_schedinit() does, each M holding its P; the
 *            default starts from where that ends with no work: all parked
 *   SYSCALL  running Gs may block in the kernel, NSYSCALL times in all;
 *            sysmon retakes the P (gmp_retake_syscall() -> gmp_handoffp())
 *   LIVENESS the LTL property "every submitted G eventually runs"
 *            (check with pan -a -f; NOMONITOR leaves the assertions out,
 *            to see the LTL property catch a bug on its own)
 *
 * Seeded bugs; each must give a counterexample:
 *   BUG_NO_G3    gmp_findrunnable_stop() parks without the G3 re-check
 *   BUG_NO_PKA   no smp_mb() in S2: S1's store is seen after S3's loads
 *   BUG_NO_PKB   no PK:B: G3's loads are satisfied before the stores of
 *                G1 and G2
 *   BUG_NO_NOTE  gmp_m_park() sleeps without testing m->wakeup, so a
 *                wake that comes before the sleep is lost
 *   BUG_STALE_CLAIM  gmp_startm() drops wakep()'s spinning claim after
 *                its unlock instead of inside the critical section (what
 *                the C code did until this model found the lost wakeup;
 *                model/README.md, __gmp_startm_unclaim() in sched/proc.c)
 *   BUG_YIELD_NO_WAKE  gmp_gosched_m() queues the G globally with no S2-S3
 *                (what the C code did until a KUnit case hung on it): a G
 *                whose M lost its P in a sleep yields, the M parks (with
 *                -DSYSCALL)
 */

#ifndef NP
#define NP 2
#endif
#ifndef NMX
#define NMX (NP + 1)
#endif
#ifndef NSUB
#define NSUB 2
#endif
#ifndef GPER
#define GPER 1
#endif
#ifndef NSPAWN
#define NSPAWN 0
#endif
#ifndef NSYSCALL
#define NSYSCALL 2
#endif

#define NONE 255

/* ---- shared state: struct gmp_sched, gmp_p, gmp_m (sched/sched.h) -------- */

bit	L;		/* gmp_sched.lock */
byte	runqsize;	/* gmp_sched.runqsize: the global queue (L; read racily) */
byte	rq[NP];		/* p->runq: Gs in the ring, tail - head (A) */
bit	rn[NP];		/* p->runnext != NULL (A) */
byte	inbox[NP];	/* p->inbox: Gs in the llist (A) */
byte	pidle[NP];	/* gmp_sched.pidle, LIFO: the head is pidle[npidle - 1] (L) */
short	npidle;		/* gmp_sched.npidle (A, written under L) */
byte	needm[NP];	/* gmp_sched.needm, LIFO (L) */
byte	nneedm;		/* its length (L) */
short	nmspinning;	/* gmp_sched.nmspinning (A) */
byte	midle[NMX];	/* gmp_sched.midle, LIFO (L) */
byte	nmidle;		/* gmp_sched.nmidle (L) */
byte	mcpu[NMX];	/* m->cpu: P i is on CPU i, an M follows its P */
byte	nextp[NMX];	/* m->nextp (L); also the P a new M starts with */
bit	spinning[NMX];	/* m->spinning: the M's own, or startm()'s under L */
bit	wakeup[NMX];	/* m->wakeup: the note of gmp_m_park() (A) */
bit	tidle[NMX];	/* m->task->__state: 1 TASK_IDLE, 0 TASK_RUNNING */
bit	started[NMX];	/* the M's kthread was created and woken */
byte	nstarted = NP;	/* gmp_sched.mcount */
bit	newm_queued;	/* gmp_sched.newm_work is pending */

#ifdef SYSCALL
#define P_RUNNING 0
#define P_SYSCALL 1
#define P_IDLE    2
byte	pstatus[NP];	/* p->status, the values sysmon acts on */
byte	syscall_left = NSYSCALL;	/* ghost: blocking calls left to make */
bit	insyscall;	/* ghost: its M is blocked in the kernel */
byte	scm = NONE;	/* ghost: that M */
bit	sysmon_busy;	/* ghost: sysmon is handing a P over */
#endif

/* ---- ghost state: read by the properties only ---------------------------- */

byte	submitted;	/* Gs published (S1) */
byte	ran;		/* Gs executed */
byte	subs_done;	/* submitters that returned */
byte	insubmit;	/* callers between S1 and the end of S3 */
byte	wakes_inflight;	/* startm() took an M off midle, its wake not done */
bit	asleep[NMX];	/* the M sleeps in schedule() in gmp_m_park() */
bit	newm_busy;	/* gmp_newm_workfn() is running */
byte	spawn_left = NSPAWN;
byte	powner[NP];	/* the M holding each P: gmp_acquirep()'s WARN */
bit	cut;		/* the run needed more than NMX Ms: out of the model */

#if NP == 2
#define WORK	(runqsize + rq[0] + rn[0] + inbox[0] + rq[1] + rn[1] + inbox[1])
#elif NP == 3
#define WORK	(runqsize + rq[0] + rn[0] + inbox[0] + rq[1] + rn[1] + inbox[1] + \
		 rq[2] + rn[2] + inbox[2])
#else
#error "NP must be 2 or 3"
#endif

/* An M that will not run again until somebody wakes it. */
#ifdef SYSCALL
#define SC_OUT(m)	(insyscall && scm == m)
#else
#define SC_OUT(m)	false
#endif
#define M_OUT(m)	(!started[m] || (asleep[m] && tidle[m] && !wakeup[m]) || SC_OUT(m))
#if NMX == 2
#define ALL_M_OUT	(M_OUT(0) && M_OUT(1))
#elif NMX == 3
#define ALL_M_OUT	(M_OUT(0) && M_OUT(1) && M_OUT(2))
#elif NMX == 4
#define ALL_M_OUT	(M_OUT(0) && M_OUT(1) && M_OUT(2) && M_OUT(3))
#elif NMX == 5
#define ALL_M_OUT	(M_OUT(0) && M_OUT(1) && M_OUT(2) && M_OUT(3) && M_OUT(4))
#else
#error "NMX must be in [2, 5]"
#endif

#ifdef SYSCALL
/*
 * The M blocked in the kernel counts as out: handing its P over is what
 * lets the other Gs run meanwhile. Sysmon is out when no P is left in
 * SYSCALL for it to retake.
 */
#if NP == 2
#define NO_SYSCALL_P	(pstatus[0] != P_SYSCALL && pstatus[1] != P_SYSCALL)
#else
#define NO_SYSCALL_P	(pstatus[0] != P_SYSCALL && pstatus[1] != P_SYSCALL && \
			 pstatus[2] != P_SYSCALL)
#endif
#define SYSMON_OUT	(!sysmon_busy && NO_SYSCALL_P)
#else
#define SYSMON_OUT	true
#endif

/*
 * Quiescent: every M sleeps with no wake on its way, no new-M work is
 * pending, sysmon has nothing to do, and no submitter is between S1 and
 * the end of S3. Nothing moves until the next submission.
 */
#define QUIESCENT	(ALL_M_OUT && wakes_inflight == 0 && !newm_queued && \
			 !newm_busy && insubmit == 0 && SYSMON_OUT)

/* ---- idle lists (proc.c, "idle P and M lists"); inside L ----------------- */

/* __gmp_pidleput(): WARN_ON_ONCE(!gmp_runq_empty(p)); atomic_inc(&npidle) */
inline __pidleput(pp)
{
	assert(rq[pp] == 0 && rn[pp] == 0);
	assert(powner[pp] == NONE);
#ifdef SYSCALL
	pstatus[pp] = P_IDLE;
#endif
	pidle[npidle] = pp;
	npidle++;
	assert(npidle >= 0 && npidle <= NP)
}

/* __gmp_pidleget(): the head, or NONE; atomic_dec(&npidle) */
inline __pidleget(pp)
{
	if
	:: npidle > 0 ->
		npidle--;
		pp = pidle[npidle];
		pidle[npidle] = 0;
#ifdef SYSCALL
		pstatus[pp] = P_RUNNING;
#endif
		assert(npidle >= 0 && npidle <= NP)
	:: else -> pp = NONE
	fi
}

/* __gmp_mget(cpu): the first idle M bound to @cpu, else the head. Uses i. */
inline __mget(mm, cpu)
{
	mm = NONE;
#ifdef MGET_ANY
	if
	:: nmidle > 0 -> i = 0
	:: nmidle > 1 -> i = 1
	:: nmidle > 2 -> i = 2
	:: nmidle > 3 -> i = 3
	:: nmidle > 4 -> i = 4
	:: else -> i = NONE
	fi;
	if
	:: i != NONE ->
		mm = midle[i];
		do
		:: i + 1 < nmidle -> midle[i] = midle[i + 1]; i++
		:: else -> break
		od;
		nmidle--;
		midle[nmidle] = 0;
		i = 0
	:: else -> i = 0
	fi
#else
	if
	:: nmidle > 0 ->
		i = nmidle - 1;
		do
		:: mcpu[midle[i]] == cpu -> break
		:: else ->
			if
			:: i == 0 -> i = nmidle - 1; break
			:: else -> i--
			fi
		od;
		mm = midle[i];
		do			/* unlink it */
		:: i + 1 < nmidle -> midle[i] = midle[i + 1]; i++
		:: else -> break
		od;
		nmidle--;
		midle[nmidle] = 0;
		i = 0
	:: else
	fi
#endif
}

inline __needm_pop(pp)
{
	if
	:: nneedm > 0 ->
		nneedm--;
		pp = needm[nneedm];
		needm[nneedm] = 0
	:: else -> pp = NONE
	fi
}

/* gmp_acquirep(): WARN_ON_ONCE(m->p || p->m); the M follows p's CPU */
inline acquirep(pp)
{
	assert(powner[pp] == NONE);
	powner[pp] = me;
#ifndef MGET_ANY
	mcpu[me] = pp;
#endif
#ifdef SYSCALL
	pstatus[pp] = P_RUNNING;
#endif
}

/* ---- gmp_startm(), gmp_wakep(), S2-S3 -------------------------------------- */

/*
 * gmp_startm(pin, spn), the critical section: an idle P unless given
 * one, then an idle M for it, or else the P goes on gmp_sched.needm.
 * res: 0 no P, 1 needm, 2 an M to wake. Locals of the caller: i, sp, nm.
 */
inline __startm(pin, spn)
{
	sp = pin;
	if
	:: sp == NONE -> __pidleget(sp)
	:: else
	fi;
	if
	:: sp == NONE -> res = 0
	:: else ->
		__mget(nm, sp);
		if
		:: nm == NONE ->
			needm[nneedm] = sp;
			nneedm++;
			res = 1
		:: else ->
			spinning[nm] = spn;
			nextp[nm] = sp;
			wakes_inflight++;
			res = 2
		fi
	fi;
#ifndef BUG_STALE_CLAIM
	/*
	 * __gmp_startm_unclaim(): drop wakep()'s claim inside the critical
	 * section that found no P or no M, as Go's wakep() does; then any P
	 * that goes idle, or leaves needm, after it is re-checked by its M.
	 */
	if
	:: res != 2 && spn ->
		nmspinning--;
		assert(nmspinning >= 0);
		res = res + 4		/* 4: done, 5: queue the work */
	:: else
	fi;
#endif
	sp = 0
}

/* gmp_startm(), after the unlock: undo the claim, queue the work, or wake. */
inline startm_after(spn)
{
	if
	:: atomic { res == 2 -> wakeup[nm] = 1 };	/* gmp_m_wake(): WRITE_ONCE() */
		atomic {		/* wake_up_process(): full barrier, then */
			tidle[nm] = 0;	/* TASK_IDLE -> TASK_RUNNING */
			wakes_inflight--;
			nm = 0;
			res = 0
		}
	:: atomic {			/* no P after all: undo wakep()'s claim */
		res == 0 && spn ->
		nmspinning--;
		assert(nmspinning >= 0);
		nm = 0
	   }
	:: atomic {			/* the claim is dropped */
		res == 1 && spn ->
		nmspinning--;
		assert(nmspinning >= 0)
	   };
		atomic { newm_queued = 1; res = 0; nm = 0 }	/* schedule_work() */
	:: atomic { res == 1 && !spn -> newm_queued = 1; res = 0; nm = 0 }
	:: atomic { res == 0 && !spn -> nm = 0 }
#ifndef BUG_STALE_CLAIM
	:: atomic { res == 5 -> newm_queued = 1; res = 0; nm = 0 }
	:: atomic { res == 4 -> res = 0; nm = 0 }
#endif
	fi
	/* then smp_mb() and sysmonwait: sysmon is modelled for SYSCALL only */
}

inline startm(pin, spn)
{
	atomic { L == 0; __startm(pin, spn) };
	startm_after(spn)
}

/* gmp_wakep(): S3's second half. Locals of the caller: ok, i, sp, nm, res. */
inline wakep()
{
	atomic { ok = (npidle != 0) };		/* atomic_read(&npidle) */
	if
	:: atomic { ok && nmspinning == 0 }	/* atomic_read(&nmspinning) */
	:: atomic { else -> ok = 0 }
	fi;
	if
	:: atomic {		/* atomic_try_cmpxchg(&nmspinning, &zero, 1) */
		ok ->
		if
		:: nmspinning == 0 -> nmspinning = 1
		:: else -> ok = 0
		fi
	   };
		if
		:: atomic { ok -> ok = 0; L == 0; __startm(NONE, 1) };
			startm_after(1)
		:: atomic { else -> skip }
		fi
	:: atomic { else -> skip }
	fi
}

/* gmp_wakeup_after_submit(): S2 and S3, after S1 published a G. */
inline wakeup_after_submit()
{
	/* S2, PK:A: smp_mb() -- nothing to do under SC; see BUG_NO_PKA */
	atomic { ok = (npidle != 0) };		/* S3: atomic_read(&npidle) */
	if
	:: atomic { ok && nmspinning == 0 -> ok = 0 }; wakep()
	:: atomic { else -> ok = 0 }
	fi
}

/* ---- submitters outside gmp ----------------------------------------------- */

/*
 * gmp_g_start() with no P (S1: gmp_globrunq_put()) or gmp_ready() with no
 * P (S1: llist_add() to allp[cpu % gomaxprocs]->inbox), then S2-S3.
 * kind 0: gmp_g_start() only; 1: gmp_ready() only (any P); 2: either.
 */
proctype Submitter(byte kind)
{
	byte k, i, sp, nm, res;
	bit ok;

	do
#ifndef BUG_NO_PKA
	:: atomic { k < GPER && kind != 1 -> L == 0; runqsize++; insubmit++; submitted++; k++ };
		wakeup_after_submit();
		insubmit--
	:: atomic { k < GPER && kind != 0 -> inbox[0]++; insubmit++; submitted++; k++ };
		wakeup_after_submit();
		insubmit--
	:: atomic { k < GPER && kind != 0 -> inbox[1]++; insubmit++; submitted++; k++ };
		wakeup_after_submit();
		insubmit--
#if NP > 2
	:: atomic { k < GPER && kind != 0 -> inbox[2]++; insubmit++; submitted++; k++ };
		wakeup_after_submit();
		insubmit--
#endif
#else
	/*
	 * No smp_mb() in S2: S1's store to the global queue sits in the
	 * store buffer while S3 loads npidle and nmspinning. (x86 reorders
	 * just that; its unlock is a plain store.) A locked instruction,
	 * wakep()'s cmpxchg, would drain it, so it lands before that.
	 */
	:: atomic { k < GPER -> insubmit++; submitted++; k++; ok = (npidle != 0) };
		if
		:: atomic { ok && nmspinning == 0 }
		:: atomic { else -> ok = 0 }
		fi;
		atomic { L == 0; runqsize++ };	/* S1 becomes visible */
		if
		:: atomic { ok -> ok = 0 }; wakep()
		:: atomic { else -> skip }
		fi;
		insubmit--
#endif
	:: atomic { else -> subs_done++; break }
	od
}

/* ---- gmp_newm_workfn(): an M for each P on gmp_sched.needm ---------------- */

active proctype newm_work()
{
	byte pp, mm;

end_newm:
	do
	:: atomic { newm_queued -> newm_queued = 0; newm_busy = 1 };
		do
		:: atomic {
			L == 0;
			__needm_pop(pp);
			if
			:: pp == NONE -> newm_busy = 0; break
			:: else
			fi
		   };
			atomic {	/* gmp_newm_start(p, p->cpu, false) */
				if
				:: nstarted == NMX ->
					/*
					 * Out of M slots: the run leaves the
					 * bounded model; nothing is checked on
					 * it from here on.
					 */
					cut = 1;
					pp = 0;
					break
				:: else
				fi;
				mm = nstarted;
				nstarted++;
				mcpu[mm] = pp;
				nextp[mm] = pp;
				spinning[mm] = 0;
				started[mm] = 1;	/* wake_up_process() */
				pp = 0;
				mm = 0
			}
		od
	od
}

/* ---- an M: gmp_mstart_loop() ----------------------------------------------- */

proctype M(byte me; bit idle)
{
	byte p = NONE;		/* m->p */
	byte n, v, d, t, i, sp, nm, res;
	bit was, ok;

	if
	:: idle -> goto end_sleep	/* parked since boot, see init */
	:: else
	fi;
end_unstarted:
	atomic {		/* created by gmp_newm_start() with its P */
		started[me] == 1 ->
		p = nextp[me];
		nextp[me] = NONE;
		acquirep(p)
	};

	/*
	 * gmp_schedule(): (every 61st tick one G from the global queue,) the
	 * inbox, the ring, else gmp_findrunnable(), whose loop starts with
	 * the same ring and inbox. The model goes straight to that loop: the
	 * fast path finds the same work a few loads earlier, while this M
	 * holds its P and is awake.
	 */
findrunnable:
	/* gmp_findrunnable(): its loop; "continue" is "goto findrunnable" */
	atomic {
		/*
		 * gmp_runq_get(p): runnext by cmpxchg, else the ring by a CAS
		 * of head. Only thieves touch p's queues meanwhile, and they
		 * only take: C's several loads have this step's outcomes.
		 */
		if
		:: p == NONE -> goto stopm	/* woken without a P */
		:: else
		fi;
		assert(!spinning[me] || nmspinning > 0);
		if
		:: rn[p] -> rn[p] = 0; goto found
		:: else ->
			if
			:: rq[p] > 0 -> rq[p]--; goto found
			:: else
			fi
		fi
	};
	atomic {
		/*
		 * gmp_inbox_drain(p, p): llist_del_all(), then the Gs onto our
		 * ring (one step: in between they are in this awake M's hands).
		 */
		n = inbox[p];
		inbox[p] = 0;
		rq[p] = rq[p] + n;
		if
		:: n > 0 -> n = 0; goto findrunnable
		:: else
		fi
	};
	atomic {
		/*
		 * gmp_globrunq_get(p, 0): a racy look at runqsize, then under
		 * L a fair share: one G to run, the rest onto our ring.
		 */
		if
		:: runqsize == 0
		:: else ->
			L == 0;			/* may wait: then not one step */
			if
			:: runqsize > 0 ->
				n = runqsize / NP + 1;
				if
				:: n > runqsize -> n = runqsize
				:: else
				fi;
				runqsize = runqsize - n;
				rq[p] = rq[p] + n - 1;
				n = 0;
				goto found
			:: else
			fi
		fi
	};
	/* Limit spinners to half the busy Ps. */
	atomic {	/* busy = gomaxprocs - atomic_read(&npidle) */
		t = NP - npidle;
		if
		:: spinning[me] -> t = 0; goto steal
		:: else
		fi
	};
	atomic {	/* 2 * atomic_read(&nmspinning) < busy */
		if
		:: 2 * nmspinning < t -> t = 0
		:: else -> t = 0; goto stop
		fi
	};
	atomic { spinning[me] = 1; nmspinning++ };	/* atomic_inc() */

steal:
	/*
	 * gmp_stealwork(): 4 rounds over the other Ps in random order; each
	 * visit drains the victim's inbox (then runs one of those Gs), else
	 * takes half its ring, or in the last round its runnext. Modelled as
	 * one round, the victims in any order, each visit the same two steps
	 * as C: the xchg of the inbox, then the CAS on the ring (or runnext).
	 * The earlier rounds only repeat loads with no effect, so every
	 * outcome of C is that of one visit made at the time of its last
	 * load; a runnext taken at any time stands for round 3.
	 */
	atomic {
		if
		:: d = 1
#if NP > 2
		:: d = 2
#endif
		fi;
		v = (p + d) % NP
	};
steal_visit:
	atomic {			/* gmp_inbox_drain(p2, p), gmp_runq_get() */
		n = inbox[v];
		inbox[v] = 0;
		if
		:: n > 0 -> rq[p] = rq[p] + n - 1; n = 0; v = 0; d = 0; goto found
		:: else
		fi
	};
	atomic {			/* gmp_runq_steal(): one CAS of head */
		n = rq[v] - rq[v] / 2;
		if
		:: n > 0 ->
			rq[v] = rq[v] - n;
			rq[p] = rq[p] + n - 1;	/* then our tail, store-release */
			n = 0; v = 0; d = 0;
			goto found
		:: else
		fi;
		if
		:: rn[v] -> rn[v] = 0; v = 0; d = 0; goto found	/* runnext */
		:: else
		fi;
		v = (v + d) % NP;
		if
		:: v != p -> goto steal_visit
		:: else -> v = 0; d = 0
		fi
	};
	/* gmp_dead_inboxes_drain(): no resize in this model */

stop:
	/*
	 * gmp_findrunnable_stop(): G1 give the P up, G2 stop spinning,
	 * G3 re-check every queue, G4 park.
	 */
#ifdef BUG_NO_PKB
	/*
	 * No PK:B (G2 an atomic_dec_return_relaxed(), no smp_mb()): a weakly
	 * ordered CPU may satisfy G3's loads before the stores of G1 (npidle)
	 * and G2 (nmspinning) are visible. So G3 runs first, here.
	 */
	goto g3;
g1:
#endif
	atomic {			/* G1 */
		L == 0;
		was = spinning[me];
		powner[p] = NONE;
		__pidleput(p);
		p = NONE;		/* m->p = NULL */
		if
		:: !was -> goto g2_done	/* PK:B: smp_mb() */
		:: else
		fi
	};
	atomic {			/* G2, PK:B: fully ordered */
		spinning[me] = 0;
		nmspinning--;
		assert(nmspinning >= 0)
	};
g2_done:
#ifdef BUG_NO_PKB
	goto decide;
#endif
#ifdef BUG_NO_G3
	atomic { was = 0; goto findrunnable }	/* straight to G4 */
#endif
g3:
	/* G3: gmp_any_work(), one load at a time */
	atomic {
		v = 0;
		ok = (runqsize != 0);
		if
		:: ok -> goto g3_done
		:: else
		fi
	};
g3_next:
	atomic {			/* !gmp_runq_empty(p2): a snapshot */
		ok = (rq[v] + rn[v] != 0);
		if
		:: ok -> v = 0; goto g3_done
		:: else
		fi
	};
	atomic {			/* !llist_empty(&p2->inbox) */
		ok = (inbox[v] != 0);
		v++;
		if
		:: !ok && v < NP -> goto g3_next
		:: else -> v = 0
		fi
	};
g3_done:
#ifdef BUG_NO_PKB
	if
	:: p != NONE -> goto g1
	:: else
	fi;
decide:
#endif
	if
	:: atomic {		/* work: take an idle P back, spin again */
		ok ->
		ok = 0;
		L == 0;
		__pidleget(t);
		if
		:: t == NONE -> was = 0; goto findrunnable
		:: else
		fi;
		p = t;
		t = 0;
		acquirep(p);
		if
		:: !was -> goto findrunnable
		:: else -> was = 0; spinning[me] = 1
		fi
	   };
		atomic { nmspinning++; goto findrunnable }	/* atomic_inc() */
	:: atomic { else -> was = 0; goto findrunnable }	/* G4: no P, stopm */
	fi;

stopm:
	/* gmp_stopm() */
	atomic {
		L == 0;
		assert(p == NONE && !spinning[me]);
		__needm_pop(t);
		if
		:: t == NONE -> midle[nmidle] = me; nmidle++
		:: else ->		/* take it, don't sleep */
			spinning[me] = 0;
			p = t;
			t = 0;
			acquirep(p);
			goto findrunnable
		fi
	};
park:
	/* gmp_m_park() */
	tidle[me] = 1;		/* set_current_state(TASK_IDLE): store, full barrier */
	atomic {
#ifdef BUG_NO_NOTE
		asleep[me] = 1
#else
		if
		:: wakeup[me] -> goto unparked	/* READ_ONCE(m->wakeup) */
		:: else -> asleep[me] = 1
		fi
#endif
	};
end_sleep:	/* schedule(): until wake_up_process() makes us TASK_RUNNING */
	atomic {
		tidle[me] == 0 ->
		asleep[me] = 0;
#ifndef BUG_NO_NOTE
		goto park
#endif
	};
unparked:
	/*
	 * __set_current_state(TASK_RUNNING), WRITE_ONCE(m->wakeup, 0), then
	 * under L: p = m->nextp. Nobody else writes the first two meanwhile
	 * (the M is off midle), so they join the critical section's step.
	 */
	atomic {
		L == 0;
		tidle[me] = 0;
		wakeup[me] = 0;
		t = nextp[me];
		nextp[me] = NONE;
		if
		:: t == NONE -> goto park	/* while (!p && !stopping) */
		:: else
		fi;
		p = t;
		t = 0;
		acquirep(p);
		goto findrunnable
	};

found:
	/* back in gmp_schedule(): if (gp && m->spinning) gmp_resetspinning() */
	if
	:: atomic {
		spinning[me] ->
		spinning[me] = 0;
		nmspinning--;
		assert(nmspinning >= 0)
	   };
		wakep()
	:: else
	fi;

	/*
	 * gmp_execute(): the G runs, and may start another on this P:
	 * gmp_g_start() from a G, S1 = gmp_runq_put(p, gp, true): the
	 * cmpxchg of runnext, then the old runnext onto the ring.
	 */
	atomic {
		ran++;
		if
		:: spawn_left > 0 ->
			spawn_left--;
			submitted++;
			insubmit++;
			t = rn[p];
			rn[p] = 1;
			if
			:: t -> t = 0
			:: else -> goto spawned
			fi
		:: true -> goto ran_g
		fi
	};
	rq[p]++;			/* store-release of the ring's tail */
spawned:
	wakeup_after_submit();		/* S2, S3 */
	insubmit--;
ran_g:
#ifdef SYSCALL
	/*
	 * The G may block in the kernel: gmp_enter_blocking(), or a sleep
	 * the preempt notifier sees -> gmp_m_block_start(): the P goes to
	 * SYSCALL with no M. When the call returns it carries on running,
	 * and may block again.
	 */
	if
	:: atomic {
		syscall_left > 0 && scm == NONE ->	/* one at a time */
		syscall_left--;
		t = p;
		powner[p] = NONE;
		p = NONE;			/* m->p = NULL */
		pstatus[t] = P_SYSCALL;		/* BL:A: store-release */
		insyscall = 1;
		scm = me
	   };
		/* ... the M sleeps in the kernel until syscall_return ... */
		atomic {		/* gmp_m_block_end(): BL:B */
			insyscall == 0 ->
			scm = NONE;
			if
			:: pstatus[t] == P_SYSCALL ->
				p = t;
				t = 0;
				acquirep(p);
				goto ran_g
			:: else -> t = 0
			fi
		};
		/*
		 * With no P back, the G carries on without one: a sleep the
		 * preempt notifier saw returns into the G's own code. Its
		 * next gmp call either looks for a P (gmp_preempt_point() ->
		 * gmp_exitsyscall_slow()) or yields (gmp_yield() ->
		 * gmp_gosched_m(), e.g. a mutex unlock in starvation mode);
		 * both queue the G globally and park this M. The M has no P,
		 * so it looks at no queue before it parks: only S2-S3 can
		 * get the G run.
		 */
		if
		:: atomic {		/* gmp_exitsyscall_slow(): an idle P? */
			L == 0;
			__pidleget(t);
			if
			:: t != NONE -> p = t; t = 0; acquirep(p); goto ran_g
			:: else -> t = 0
			fi
		   };
			/* gmp_exitsyscall0(): queue the G, S2-S3, park this M */
			atomic { L == 0; runqsize++; ran--; insubmit++ };
			wakeup_after_submit();
			insubmit--
		:: atomic { true -> t = 0 };
			/* gmp_gosched_m() on an M without a P: S1 */
			atomic { L == 0; runqsize++; ran--; insubmit++ };
#ifndef BUG_YIELD_NO_WAKE
			wakeup_after_submit();	/* S2, S3 */
#endif
			insubmit--
		fi
	:: else
	fi;
#endif
	goto findrunnable
}

#ifdef SYSCALL
/*
 * Sysmon as far as it hands Ps over: gmp_retake() -> gmp_retake_syscall()
 * -> gmp_handoffp(). Its timing rules only decide when: any time here.
 */
active proctype sysmon()
{
	byte pp, i, sp, nm, res;
	bit ok;

end_sysmon:
	do
	:: atomic {	/* BL:C: cmpxchg_acquire(SYSCALL -> IDLE) */
		if
		:: pstatus[0] == P_SYSCALL -> pp = 0
		:: pstatus[1] == P_SYSCALL -> pp = 1
#if NP > 2
		:: pstatus[2] == P_SYSCALL -> pp = 2
#endif
		fi;
		pstatus[pp] = P_IDLE;
		sysmon_busy = 1
	   };
		/* gmp_handoffp(p): work on p, or global work: startm(p, false) */
		atomic { ok = (rq[pp] + rn[pp] != 0) };	/* !gmp_runq_empty(p) */
		if
		:: atomic { !ok -> ok = (inbox[pp] != 0) }	/* !llist_empty() */
		:: atomic { else -> skip }
		fi;
		if
		:: atomic { !ok -> ok = (runqsize != 0) }	/* READ_ONCE(runqsize) */
		:: atomic { else -> skip }
		fi;
		if
		:: atomic { ok -> ok = 0; L == 0; __startm(pp, 0) }; startm_after(0)
		:: atomic { else -> skip };
			/* nobody spins and no P is idle: a spinner on p */
			atomic { ok = (nmspinning == 0) };
			if
			:: atomic { ok -> ok = (npidle == 0) }
			:: atomic { else -> skip }
			fi;
			if
			:: atomic {		/* atomic_try_cmpxchg() */
				ok ->
				if
				:: nmspinning == 0 -> nmspinning = 1
				:: else -> ok = 0
				fi
			   }
			:: atomic { else -> skip }
			fi;
			if
			:: atomic { ok -> ok = 0; L == 0; __startm(pp, 1) }; startm_after(1)
			:: atomic { else -> skip };
				atomic {	/* under L: global work, else idle */
					L == 0;
					if
					:: runqsize != 0 -> ok = 1
					:: else -> __pidleput(pp)
					fi
				};
				if
				:: atomic { ok -> ok = 0; L == 0; __startm(pp, 0) };
					startm_after(0)
				:: atomic { else -> skip }
				fi
			fi
		fi;
		atomic { sysmon_busy = 0; pp = 0 }
	od
}

/* A blocked call returns, at any time. */
active proctype syscall_return()
{
end_sc:
	do
	:: atomic { insyscall -> insyscall = 0 }
	od
}
#endif

/* ---- the properties -------------------------------------------------------- */

/*
 * No lost wakeup: never quiescent with a G queued. And at the end, when
 * nothing can move, every submitted G has run.
 */
#ifndef NOMONITOR
active proctype monitor()
{
end_monitor:
	if
	:: atomic { !cut && QUIESCENT && WORK > 0 -> assert(!(QUIESCENT && WORK > 0)) }
	:: timeout -> assert(cut || (WORK == 0 && ran == submitted && subs_done == NSUB))
	fi
}
#endif

#ifdef LIVENESS
ltl all_run { <> (cut || (subs_done == NSUB && ran == submitted)) }
#endif

/*
 * gmp_schedinit(): one M per P, on the P's CPU. With -DBOOT each starts
 * holding its P and looks for work while the submitters run. Without,
 * the model starts where that ends when nothing is submitted (the BOOT
 * run with NSUB=0 checks it gets there): every M parked on midle, every
 * P idle. The submitters then race with the Ms they wake.
 */
init
{
	byte i;

	atomic {
		for (i : 0 .. NMX - 1) {
			nextp[i] = NONE
		}
		for (i : 0 .. NP - 1) {
			powner[i] = NONE;
			mcpu[i] = i;
			started[i] = 1;
#ifdef BOOT
			nextp[i] = i
#else
			pidle[i] = i;
			midle[i] = i;
			tidle[i] = 1;
			asleep[i] = 1
#endif
		}
#ifndef BOOT
		npidle = NP;
		nmidle = NP;
#endif
		for (i : 0 .. NMX - 1) {
#ifdef BOOT
			run M(i, 0)
#else
			run M(i, i < NP)
#endif
		}
		for (i : 0 .. NSUB - 1) {
#if defined(SUBKIND)
			run Submitter(SUBKIND)
#elif defined(SUB_ANY)
			run Submitter(2)
#else
			/* one of each kind, the rest either */
			if
			:: NSUB > 1 && i < 2 -> run Submitter(i)
			:: else -> run Submitter(2)
			fi
#endif
		}
	}
}
