using System.Runtime.InteropServices;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Verification;

/// <summary>
/// Compares two checkpoints tensor by tensor on their decoded values: tensors are matched by logical name (an MXFP4
/// pair <c>X_blocks</c>/<c>X_scales</c> or <c>X.blocks</c>/<c>X.scales</c> is the tensor <c>X</c>), both sides are
/// decoded to float32 in chunks by the pinned workers, each worker comparing its own part, and the statistics merged.
/// Memory stays bounded: a few chunks per worker, plus one expert matrix per side when the difference side is in the
/// Transformers layout.
/// </summary>
public static class CheckpointComparer
{
    /// <summary>Elements a worker decodes and compares at a time: two float32 chunks of 128 KiB, cache-resident.</summary>
    private const int ChunkElements = 32 * 1024;

    /// <summary>Elements per parallel pass: the granularity of progress reports and of Ctrl+C between passes.</summary>
    private const long PassElements = 16L << 20;

    /// <summary>Below this many elements per worker a second worker costs more than it saves.</summary>
    private const long MinElementsPerWorker = 64 * 1024;

    private delegate void Decoder(long firstElement, int count, Span<float> destination);

    /// <summary>One record per logical name of either checkpoint: the reference's names in order, then the difference's own.</summary>
    public static IEnumerable<TensorComparison> Compare(Checkpoint reference, Checkpoint difference, ComparisonOptions options,
        Action<ComparisonProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        ArgumentNullException.ThrowIfNull(options);
        var left = LogicalTensor.All(reference).Where(t => options.Filter?.Invoke(t.Name) ?? true).ToList();
        var right = LogicalTensor.All(difference).Where(t => options.Filter?.Invoke(t.Name) ?? true).ToDictionary(t => t.Name,
            StringComparer.Ordinal);
        long total = left.Where(t => right.ContainsKey(t.Name)).Sum(t => t.ElementCount);
        long done = 0;
        foreach (var a in left)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!right.Remove(a.Name, out var b))
            {
                yield return OneSided(a, ComparisonStatus.ReferenceOnly);
                continue;
            }

            long before = done;
            yield return CompareOne(a, b, options, p => progress?.Invoke(new ComparisonProgress(before + p, total, a.Name)),
                cancellationToken);
            done += a.ElementCount;
            progress?.Invoke(new ComparisonProgress(done, total, a.Name));
        }

        foreach (var b in right.Values)
        {
            yield return OneSided(b, ComparisonStatus.DifferenceOnly);
        }
    }

    private static TensorComparison OneSided(LogicalTensor tensor, ComparisonStatus status) => new()
    {
        Name = tensor.Name,
        Status = status,
        Shape = tensor.Shape,
        ReferenceDType = status == ComparisonStatus.ReferenceOnly ? tensor.DTypeName : null,
        DifferenceDType = status == ComparisonStatus.DifferenceOnly ? tensor.DTypeName : null,
        DifferenceShape = status == ComparisonStatus.DifferenceOnly ? tensor.Shape : null,
        ElementCount = tensor.ElementCount,
    };

    private static TensorComparison CompareOne(LogicalTensor a, LogicalTensor b, ComparisonOptions options, Action<long> progress,
        CancellationToken cancellationToken)
    {
        bool transposed = options.DifferenceLayout == ConversionLayout.Transformers
            && GptOssNames.IsTransformersExpertWeight(a.Name, a.Shape.Length);
        long[] expected = transposed ? [a.Shape[0], a.Shape[2], a.Shape[1]] : a.Shape;
        var result = new TensorComparison
        {
            Name = a.Name,
            Status = ComparisonStatus.ShapeMismatch,
            Shape = a.Shape,
            DifferenceShape = b.Shape,
            ReferenceDType = a.DTypeName,
            DifferenceDType = b.DTypeName,
            Transposed = transposed,
            ElementCount = a.ElementCount,
        };
        if (!expected.AsSpan().SequenceEqual(b.Shape))
        {
            return result;
        }

        if (!a.IsFloat || !b.IsFloat)
        {
            if (a.IsFloat || b.IsFloat || a.Raw!.DType != b.Raw!.DType)
            {
                return Copy(result, ComparisonStatus.NotComparable, default, options);
            }

            long differentRaw = CompareBytes(a.Raw, b.Raw, cancellationToken);
            return Copy(result, ComparisonStatus.Compared,
                new DifferenceAccumulator { Elements = a.ElementCount, Different = differentRaw }, options, raw: true);
        }

        using var readerA = a.Open();
        using var readerB = b.Open();
        var stats = transposed
            ? CompareTransposed(readerA.Source, readerB.Source, a.Shape, options.Threads, progress, cancellationToken)
            : CompareStraight(readerA.Source, readerB.Source, options.Threads, progress, cancellationToken);
        return Copy(result, ComparisonStatus.Compared, stats, options);
    }

    private static TensorComparison Copy(TensorComparison shell, ComparisonStatus status, DifferenceAccumulator stats,
        ComparisonOptions options, bool raw = false)
    {
        bool compared = status == ComparisonStatus.Compared;
        double infinite = double.PositiveInfinity;
        double maxAbs = !compared || raw ? double.NaN : stats.NonFiniteMismatch ? infinite : stats.MaxAbs;
        return new TensorComparison
        {
            Name = shell.Name,
            Status = status,
            Shape = shell.Shape,
            DifferenceShape = shell.DifferenceShape,
            ReferenceDType = shell.ReferenceDType,
            DifferenceDType = shell.DifferenceDType,
            Transposed = shell.Transposed,
            ElementCount = shell.ElementCount,
            MaxAbsDiff = maxAbs,
            MaxRelDiff = !compared || raw ? double.NaN : stats.NonFiniteMismatch ? infinite : stats.MaxRel,
            RmsDiff = !compared || raw ? double.NaN : stats.NonFiniteMismatch ? infinite : stats.FiniteBoth == 0 ? 0
                : Math.Sqrt(stats.SumSquares / stats.FiniteBoth),
            DifferentCount = stats.Different,
            ReferenceNaN = stats.ReferenceNaN,
            ReferenceInfinity = stats.ReferenceInfinity,
            DifferenceNaN = stats.DifferenceNaN,
            DifferenceInfinity = stats.DifferenceInfinity,
            Equal = compared && stats.Different == 0,
            WithinTolerance = compared && (raw ? stats.Different == 0 : maxAbs <= options.Tolerance),
        };
    }

    private static DifferenceAccumulator CompareStraight(TensorSource a, TensorSource b, int threads, Action<long> progress,
        CancellationToken cancellationToken)
        => CompareRange(
            (first, count, destination) => a.Decode(first, count, MemoryMarshal.AsBytes(destination), OutputFormat.F32),
            (first, count, destination) => b.Decode(first, count, MemoryMarshal.AsBytes(destination), OutputFormat.F32),
            a.ElementCount,
            threads,
            progress,
            cancellationToken);

    /// <summary>
    /// Expert by expert: the difference side's <c>[in, out]</c> matrix is decoded whole and transposed to the
    /// reference's <c>[out, in]</c>, then compared against the reference decoded in chunks.
    /// </summary>
    private static DifferenceAccumulator CompareTransposed(TensorSource a, TensorSource b, long[] shape, int threads, Action<long> progress,
        CancellationToken cancellationToken)
    {
        long rows = shape[1];
        long columns = shape[2];
        long perExpert = rows * columns;
        if (perExpert * sizeof(float) > Array.MaxLength)
        {
            throw new Mxfp4Exception(ErrorIds.TensorTooLarge, Mxfp4ErrorCategory.LimitsExceeded,
                $"An expert matrix of [{rows}, {columns}] float32 values is too large to transpose in memory.", shape);
        }

        var stored = new float[perExpert];
        var transposed = new float[perExpert];
        var total = default(DifferenceAccumulator);
        for (long expert = 0; expert < shape[0]; expert++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long first = expert * perExpert;
            ParallelDecoder.Decode(b, first, perExpert, MemoryMarshal.AsBytes(stored.AsSpan()), OutputFormat.F32, threads,
                cancellationToken);
            ExpertTranspose.Transpose(MemoryMarshal.AsBytes(stored.AsSpan()), MemoryMarshal.AsBytes(transposed.AsSpan()), (int)columns,
                (int)rows, sizeof(float));
            long before = first;
            total.Merge(CompareRange(
                (start, count, destination) => a.Decode(first + start, count, MemoryMarshal.AsBytes(destination), OutputFormat.F32),
                (start, count, destination) => transposed.AsSpan((int)start, count).CopyTo(destination),
                perExpert,
                threads,
                p => progress(before + p),
                cancellationToken));
        }

        return total;
    }

    /// <summary>Elements [0, count) of two decoders, in passes; each pass splits its range over the pinned workers.</summary>
    private static DifferenceAccumulator CompareRange(Decoder a, Decoder b, long count, int threads, Action<long> progress,
        CancellationToken cancellationToken)
    {
        var pool = WorkerPool.Shared;
        var total = default(DifferenceAccumulator);
        var gate = new object();
        for (long pass = 0; pass < count; pass += PassElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long passStart = pass;
            long passCount = Math.Min(PassElements, count - pass);
            int workers = (int)Math.Clamp(passCount / MinElementsPerWorker, 1, threads == 0 ? pool.ThreadCount
                : Math.Min(threads, pool.ThreadCount));
            pool.Run(workers, part =>
            {
                var (start, end) = Partition.Range(passCount, workers, part, Mxfp4Format.BlockElements);
                var bufferA = new float[ChunkElements];
                var bufferB = new float[ChunkElements];
                var local = default(DifferenceAccumulator);
                for (long position = start; position < end && !cancellationToken.IsCancellationRequested; position += ChunkElements)
                {
                    int n = (int)Math.Min(ChunkElements, end - position);
                    a(passStart + position, n, bufferA.AsSpan(0, n));
                    b(passStart + position, n, bufferB.AsSpan(0, n));
                    local.Add(bufferA.AsSpan(0, n), bufferB.AsSpan(0, n));
                }

                lock (gate)
                {
                    total.Merge(local);
                }
            });
            cancellationToken.ThrowIfCancellationRequested();
            progress(passStart + passCount);
        }

        return total;
    }

    /// <summary>Elements whose stored bytes differ, for tensors of the same non-float dtype (integers, bools).</summary>
    private static long CompareBytes(TensorInfo a, TensorInfo b, CancellationToken cancellationToken)
    {
        using var fileA = SafetensorsFile.Open(a.Path);
        using var fileB = SafetensorsFile.Open(b.Path);
        int bits = DTypeTable.BitSize(a.DType);
        int unit = bits % 8 == 0 ? bits / 8 : 1;
        long different = 0;
        const int Window = 1 << 20;
        for (long offset = 0; offset < a.ByteLength; offset += Window)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int length = (int)Math.Min(Window, a.ByteLength - offset);
            var x = fileA.Map.GetSpan(a.DataOffset + offset, length);
            var y = fileB.Map.GetSpan(b.DataOffset + offset, length);
            for (int i = 0; i < length; i += unit)
            {
                if (!x.Slice(i, unit).SequenceEqual(y.Slice(i, unit)))
                {
                    different++;
                }
            }
        }

        return different;
    }

    /// <summary>A tensor as the comparer sees it: an MXFP4 pair, a float tensor, or a tensor compared by its bytes.</summary>
    private sealed class LogicalTensor
    {
        private readonly Mxfp4TensorInfo? _pair;

        private LogicalTensor(string name, long[] shape, long elementCount, string dtypeName, Mxfp4TensorInfo? pair, TensorInfo? plain)
        {
            Name = name;
            Shape = shape;
            ElementCount = elementCount;
            DTypeName = dtypeName;
            _pair = pair;
            Raw = plain;
        }

        public string Name { get; }

        public long[] Shape { get; }

        public long ElementCount { get; }

        public string DTypeName { get; }

        /// <summary>The stored tensor, when this is not an MXFP4 pair.</summary>
        public TensorInfo? Raw { get; }

        public bool IsFloat => _pair is not null || DTypeTable.ToFloatType(Raw!.DType) is not null;

        public static IEnumerable<LogicalTensor> All(Checkpoint checkpoint)
        {
            var paired = new HashSet<string>(StringComparer.Ordinal);
            var tensors = new List<LogicalTensor>();
            foreach (var result in Mxfp4Pairing.Pair(checkpoint.Tensors))
            {
                if (result.Tensor is { } pair)
                {
                    paired.Add(pair.Blocks.Name);
                    paired.Add(pair.Scales.Name);
                    tensors.Add(new LogicalTensor(pair.Name, pair.Shape, pair.ElementCount, "MXFP4", pair, null));
                }
            }

            // A half that does not pair is compared as the stored tensor it is.
            foreach (var tensor in checkpoint.Tensors.Where(t => !paired.Contains(t.Name)))
            {
                tensors.Add(new LogicalTensor(tensor.Name, tensor.Shape, tensor.ElementCount, tensor.DType.ToString(), null, tensor));
            }

            var order = checkpoint.Tensors.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
            return tensors.OrderBy(t => order[t._pair?.Blocks.Name ?? t.Name]);
        }

        public TensorReader Open() => _pair is not null ? TensorReader.Open(_pair) : TensorReader.Open(Raw!);
    }
}
