using System.Runtime.ExceptionServices;

namespace Mxfp4.Core.Threading;

/// <summary>
/// A fixed set of worker threads, each pinned to its own CPU, that run one job at a time: <see cref="Run"/> hands
/// worker i the call <c>body(i)</c> for i in [0, workers) and returns when all are done. Static partitions over pinned
/// threads keep each core streaming its own contiguous range, which is what memory-bound kernels want. Concurrent
/// callers are served one after another (each job already uses every core).
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private static readonly Lazy<WorkerPool> SharedPool = new(() => new WorkerPool(ThreadPinning.AllowedCpus().Length));

    /// <summary>Set on pool threads: a job that starts another job runs it inline instead of waiting on busy workers forever.</summary>
    [ThreadStatic]
    private static bool t_isWorkerThread;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly object _jobLock = new();

    // One completion event for the pool's lifetime, reset per job. A per-job event disposed by Run could be disposed
    // while the last worker is still inside its Set, which is not safe.
    private readonly ManualResetEventSlim _allDone = new(false);
    private int _remaining;
    private Action<int>? _body;
    private int _workers;
    private ExceptionDispatchInfo? _failure;
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
    /// Runs <paramref name="body"/> on <paramref name="workers"/> threads (clamped to [1, ThreadCount]) and waits.
    /// The first exception any worker throws is rethrown here after all have finished. Bodies check
    /// <see cref="CancellationToken"/>s themselves between chunks, so a stop takes effect within one chunk.
    /// Called from inside a job (on a pool thread), the bodies run one after another on the calling thread.
    /// </summary>
    public void Run(int workers, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ObjectDisposedException.ThrowIf(_disposed, this);
        workers = Math.Clamp(workers, 1, ThreadCount);
        if (workers == 1 || t_isWorkerThread)
        {
            // One partition gains nothing from a hand-off, and a nested job would wait for workers that wait for it.
            for (int i = 0; i < workers; i++)
            {
                body(i);
            }

            return;
        }

        lock (_jobLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _body = body;
            _workers = workers;
            _failure = null;
            _remaining = workers;
            _allDone.Reset();
            for (int i = 0; i < workers; i++)
            {
                _start[i].Release();
            }

            _allDone.Wait();
            _body = null;
            _failure?.Throw();
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
        t_isWorkerThread = true;
        ThreadPinning.PinCurrentThread(cpu);
        while (true)
        {
            _start[index].Wait();
            if (_disposed)
            {
                return;
            }

            try
            {
                if (index < _workers)
                {
                    _body!(index);
                }
            }
#pragma warning disable CA1031 // any failure of a job is handed back to the caller of Run
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
            }
            finally
            {
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _allDone.Set();
                }
            }
        }
    }
}
