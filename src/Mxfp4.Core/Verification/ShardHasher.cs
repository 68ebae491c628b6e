using System.Buffers;
using System.Security.Cryptography;

namespace Mxfp4.Core.Verification;

/// <summary>
/// SHA-256 of whole files, several files at once (one per thread), each read front to back in large sequential reads
/// through an unbuffered stream. The hash itself is the platform's (OpenSSL on Linux, CNG on Windows), which uses the
/// CPU's SHA instructions where there are any.
/// </summary>
public static class ShardHasher
{
    /// <summary>Bytes per read: large enough that the per-call cost vanishes, small enough to stay in L2.</summary>
    public const int ReadBytes = 1 << 20;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Hashes every file of <paramref name="paths"/> on up to <paramref name="threads"/> threads (0 = one per CPU) and
    /// returns the lowercase hex SHA-256 of each, or the exception that stopped reading it. <paramref name="progress"/>
    /// gets the bytes hashed so far, on the calling thread, a few times a second.
    /// </summary>
    public static IReadOnlyDictionary<string,
        Result> Hash(IReadOnlyList<string> paths, int threads, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var results = new Result[paths.Count];
        long done = 0;
        int next = -1;
        int workers = Math.Clamp(threads == 0 ? Environment.ProcessorCount : threads, 1, Math.Max(1, paths.Count));
        var tasks = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            tasks[w] = Task.Factory.StartNew(
                () =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < paths.Count && !cancellationToken.IsCancellationRequested)
                    {
                        results[index] = HashOne(paths[index], bytes => Interlocked.Add(ref done, bytes), cancellationToken);
                    }
                },
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        try
        {
            while (!Task.WaitAll(tasks, ProgressInterval))
            {
                progress?.Invoke(Interlocked.Read(ref done));
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OperationCanceledException))
        {
            throw new OperationCanceledException(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Invoke(Interlocked.Read(ref done));
        var byPath = new Dictionary<string, Result>(StringComparer.Ordinal);
        for (int i = 0; i < paths.Count; i++)
        {
            byPath[paths[i]] = results[i];
        }

        return byPath;
    }

    private static Result HashOne(string path, Action<int>? read, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBytes);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 0,
                FileOptions.SequentialScan);
            int count;
            while ((count = stream.Read(buffer, 0, ReadBytes)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, count);
                read?.Invoke(count);
            }

            return new Result(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Result(null, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A file's hash, or why it could not be read.</summary>
    public readonly record struct Result(string? Sha256, Exception? Error);
}
