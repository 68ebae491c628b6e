using System.Runtime.ExceptionServices;

namespace Mxfp4.Core.Threading;

/// <summary>
/// A fixed set of worker threads, each pinned to its own CPU, that run one job at a time: <see cref="Run"/> calls
/// <c>body(i)</c> once for every i in [0, workers) and returns when all are done. Static partitions over pinned
/// threads keep each core streaming its own contiguous range, which is what memory-bound kernels want. Concurrent
/// callers are served one after another (each job already uses every core).
/// </summary>
/// <remarks>
/// Parts are claimed, not assigned: the calling thread takes parts too, and so does each woken worker, until none
/// are left. On a quiet machine that is one part per CPU as before; on a busy one a pinned worker that waits for its
/// CPU no longer holds up the whole job, since the threads already running take its part (a job of small parts on
/// strictly assigned pinned threads was measured 20 times slower under load).
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    private static readonly Lazy<WorkerPool> SharedPool = new(() => new WorkerPool(ThreadPinning.AllowedCpus().Length));

    /// <summary>Set while a thread runs a part: a part that starts another job runs it inline instead of deadlocking.</summary>
    [ThreadStatic]
    private static bool t_inPart;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly object _jobLock = new();

    // One completion event for the pool's lifetime, reset per job. A per-job event disposed by Run could be disposed
    // while the thread finishing the last part is still inside its Set, which is not safe.
    private readonly ManualResetEventSlim _allDone = new(false);
    private Job? _job;
    private volatile bool _disposed;

    public WorkerPool(int threadCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        var cpus = ThreadPinning.AllowedCpus();
        ThreadCount = threadCount;
        _threads = new Thread[threadCount];
        _start = new SemaphoreSlim[threadCount];
        for (int i = 0; i < threadCount; i++)
        {
            int index = i;
            int cpu = cpus[i % cpus.Length];
            _start[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(() => WorkerLoop(index, cpu))
            {
                IsBackground = true,
                Name = $"Mxfp4 worker {i}",
            };
            _threads[i].Start();
        }
    }

    /// <summary>One worker per CPU this process may use, created on first use and kept for the process lifetime.</summary>
    public static WorkerPool Shared => SharedPool.Value;

    public int ThreadCount { get; }

    /// <summary>
    /// Calls <paramref name="body"/>(i) once for each i in [0, <paramref name="workers"/>) (clamped to [1, ThreadCount]),
    /// in parallel on this thread and pool threads, and waits. The first exception a part throws is rethrown here after
    /// all parts have finished. Bodies check <see cref="CancellationToken"/>s themselves between chunks, so a stop
    /// takes effect within one chunk. Called from inside a part, the parts run one after another on the calling thread.
    /// </summary>
    public void Run(int workers, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ObjectDisposedException.ThrowIf(_disposed, this);
        workers = Math.Clamp(workers, 1, ThreadCount);
        if (workers == 1 || t_inPart)
        {
            // One part gains nothing from a hand-off, and a nested job would wait for workers busy with its parent.
            for (int i = 0; i < workers; i++)
            {
                body(i);
            }

            return;
        }

        lock (_jobLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var job = new Job(body, workers, _allDone);
            _allDone.Reset();
            Volatile.Write(ref _job, job);

            // The caller is one of the participants, so one worker fewer is woken.
            for (int i = 0; i < workers - 1; i++)
            {
                _start[i].Release();
            }

            job.RunParts();
            _allDone.Wait();
            job.Failure?.Throw();
        }
    }

    public void Dispose()
    {
        lock (_jobLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (var start in _start)
        {
            start.Release();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var start in _start)
        {
            start.Dispose();
        }

        _allDone.Dispose();
    }

    private void WorkerLoop(int index, int cpu)
    {
        ThreadPinning.PinCurrentThread(cpu);
        while (true)
        {
            _start[index].Wait();
            if (_disposed)
            {
                return;
            }

            // A worker woken late may find its job finished (nothing left to claim) or a newer one (it helps there).
            Volatile.Read(ref _job)?.RunParts();
        }
    }

    /// <summary>One call of <see cref="Run"/>: its parts, the next part to claim, and how many have finished.</summary>
    private sealed class Job(Action<int> body, int parts, ManualResetEventSlim allDone)
    {
        private int _lastClaimed = -1;
        private int _finished;
        private ExceptionDispatchInfo? _failure;

        public ExceptionDispatchInfo? Failure => Volatile.Read(ref _failure);

        public void RunParts()
        {
            bool outer = t_inPart;
            t_inPart = true;
            try
            {
                int part;
                while ((part = Interlocked.Increment(ref _lastClaimed)) < parts)
                {
                    try
                    {
                        body(part);
                    }
#pragma warning disable CA1031 // any failure of a part is handed back to the caller of Run
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
                    }

                    if (Interlocked.Increment(ref _finished) == parts)
                    {
                        allDone.Set();
                    }
                }
            }
            finally
            {
                t_inPart = outer;
            }
        }
    }
}
