using Mxfp4.Core.Threading;
using Xunit;

namespace Mxfp4.Core.Tests.Threading;

public sealed class WorkerPoolTests
{
    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 3)]
    [InlineData(5, 1)]
    [InlineData(3, 9)]
    public void Runs_each_index_exactly_once(int poolThreads, int workers)
    {
        using var pool = new WorkerPool(poolThreads);
        var counts = new int[poolThreads];
        for (int round = 0; round < 20; round++)
        {
            pool.Run(workers, i => Interlocked.Increment(ref counts[i]));
        }

        int used = Math.Min(workers, poolThreads);
        for (int i = 0; i < poolThreads; i++)
        {
            Assert.Equal(i < used ? 20 : 0, counts[i]);
        }
    }

    [Fact]
    public void A_worker_exception_reaches_the_caller_and_the_pool_stays_usable()
    {
        using var pool = new WorkerPool(3);
        int finished = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => pool.Run(3, i =>
        {
            if (i == 1)
            {
                throw new InvalidOperationException("worker one failed");
            }

            Interlocked.Increment(ref finished);
        }));
        Assert.Equal("worker one failed", ex.Message);
        Assert.Equal(2, finished);

        int sum = 0;
        pool.Run(3, i => Interlocked.Add(ref sum, i + 1));
        Assert.Equal(6, sum);
    }

    [Fact]
    public async Task Concurrent_callers_all_complete_with_their_own_results()
    {
        using var pool = new WorkerPool(4);
        var callers = Enumerable.Range(0, 4).Select(caller => Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                var cells = new long[4];
                pool.Run(4, i => cells[i] = ((long)caller * 1000) + round + i);
                for (int i = 0; i < 4; i++)
                {
                    Assert.Equal(((long)caller * 1000) + round + i, cells[i]);
                }
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_job_that_starts_a_job_runs_it_inline_instead_of_deadlocking()
    {
        using var pool = new WorkerPool(2);
        var inner = new int[2, 2];
        var outer = Task.Run(() => pool.Run(2, i => pool.Run(2, j => inner[i, j]++)));
        await outer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(inner.Cast<int>(), count => Assert.Equal(1, count));
    }

    [Fact]
    public void Disposed_pool_refuses_work()
    {
        var pool = new WorkerPool(2);
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(2, _ => { }));
    }

    [Fact]
    public void Pool_threads_are_pinned_to_one_allowed_cpu_each()
    {
        var allowed = ThreadPinning.AllowedCpus();
        if (!OperatingSystem.IsLinux() || allowed.Length < 2)
        {
            return;
        }

        using var pool = new WorkerPool(allowed.Length);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, (string Affinity, int RunningOn)>();

        // The caller claims parts too; slow parts leave some for the pool threads. A busy machine may wake them late,
        // so keep running jobs until one has been seen.
        for (int attempt = 0; attempt < 100 && seen.IsEmpty; attempt++)
        {
            pool.Run(allowed.Length, _ =>
            {
                Thread.Sleep(20);
                string name = Thread.CurrentThread.Name ?? string.Empty;
                if (name.StartsWith("Mxfp4 worker ", StringComparison.Ordinal))
                {
                    string affinity = File.ReadLines("/proc/thread-self/status")
                        .Single(line => line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                        .Split(':')[1].Trim();
                    seen[name] = (affinity, RunningOn());
                }
            });
        }

        Assert.NotEmpty(seen);
        foreach (var (name, (affinity, runningOn)) in seen)
        {
            int index = int.Parse(name["Mxfp4 worker ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(allowed[index].ToString(System.Globalization.CultureInfo.InvariantCulture), affinity);
            Assert.Equal(allowed[index], runningOn);
        }
    }

    [Fact]
    public void Parts_run_on_several_threads_at_once()
    {
        using var pool = new WorkerPool(2);
        using var bothInside = new CountdownEvent(2);

        // Each part waits for the other: this only finishes if two threads run parts concurrently.
        pool.Run(2, _ =>
        {
            bothInside.Signal();
            Assert.True(bothInside.Wait(TimeSpan.FromSeconds(30)));
        });
    }

    /// <summary>The CPU the calling thread last ran on: field 39 ("processor") of /proc/thread-self/stat.</summary>
    private static int RunningOn()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[39 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
