using System.Diagnostics;
using System.Text.Json;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Writes a <see cref="ConversionPlan"/>: every shard streams through the parallel decoder in bounded chunks into a
/// temporary file in the destination; only when every file is complete are they all renamed into place. Any failure
/// or cancellation deletes the temporary files and leaves the destination as it was.
/// </summary>
public static class CheckpointConverter
{
    /// <summary>Converts <paramref name="source"/> as planned. <paramref name="shards"/> limits the output to some shards (from -Confirm); the index is then left out, since it would name missing files.</summary>
    public static ConversionResult Execute(
        Checkpoint source,
        ConversionPlan plan,
        IReadOnlyCollection<ShardPlan>? shards = null,
        Action<ConversionProgress>? progress = null,
        CancellationToken cancellationToken = default)
        => Execute(source, plan, shards, progress, null, cancellationToken);

    /// <summary>As above; <paramref name="outputFilter"/> wraps each output stream, which lets tests inject write failures.</summary>
    internal static ConversionResult Execute(
        Checkpoint source,
        ConversionPlan plan,
        IReadOnlyCollection<ShardPlan>? shards,
        Action<ConversionProgress>? progress,
        Func<Stream, Stream>? outputFilter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(plan);
        var selected = shards ?? plan.Shards;
        bool complete = selected.Count == plan.Shards.Count;
        var clock = Stopwatch.StartNew();
        bool createdDestination = !Directory.Exists(plan.Destination);
        var pending = new List<AtomicFile>();
        bool succeeded = false;
        try
        {
            CreateDestination(plan.Destination);
            var writer = new ShardWriter(source, plan.Options, progress, outputFilter, selected.Sum(s => s.FileLength), cancellationToken);
            foreach (var shard in selected)
            {
                pending.Add(writer.Write(shard));
            }

            if (complete)
            {
                if (plan.IndexTarget is not null)
                {
                    pending.Add(WriteIndex(plan, outputFilter));
                }

                foreach (var file in plan.OtherFiles)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    pending.Add(CopyOtherFile(file, plan, outputFilter));
                }
            }

            // Everything that can fail (flushing to disk, a file that appeared meanwhile) for every file before the
            // first rename: a failure there must leave none of the new files in place.
            foreach (var file in pending)
            {
                file.Complete();
            }

            foreach (var file in pending)
            {
                file.Commit();
            }

            succeeded = true;
            return new ConversionResult(
                pending.Select(f => f.Path).ToList(),
                selected.Sum(s => s.ConvertedCount),
                selected.Sum(s => s.CopiedCount),
                selected.Sum(s => s.FileLength),
                clock.Elapsed);
        }
        finally
        {
            // Uncommitted files delete their temporaries; committed ones are left alone.
            foreach (var file in pending)
            {
                file.Dispose();
            }

            if (!succeeded && createdDestination && Directory.Exists(plan.Destination) && !Directory.EnumerateFileSystemEntries(plan.Destination).Any())
            {
                Directory.Delete(plan.Destination);
            }
        }
    }

    private static void CreateDestination(string destination)
    {
        try
        {
            Directory.CreateDirectory(destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException(destination, $"Cannot create the destination '{destination}': {ex.Message}", ex);
        }
    }

    private static AtomicFile WriteIndex(ConversionPlan plan, Func<Stream, Stream>? outputFilter)
    {
        var file = AtomicFile.Create(plan.IndexTarget!, plan.Options.Force);
        try
        {
            using (var json = new Utf8JsonWriter(Filter(file.Stream, outputFilter), new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteStartObject("metadata");
                foreach (var (key, rawValue) in plan.IndexMetadata)
                {
                    json.WritePropertyName(key);
                    json.WriteRawValue(rawValue);
                }

                json.WriteNumber("total_size", plan.TotalTensorBytes);
                json.WriteEndObject();
                json.WriteStartObject("weight_map");
                foreach (var shard in plan.Shards)
                {
                    foreach (var tensor in shard.Tensors)
                    {
                        json.WriteString(tensor.Spec.Name, Path.GetFileName(shard.TargetPath));
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            file.Stream.WriteByte((byte)'\n');
            return file;
        }
        catch (Exception ex)
        {
            file.Dispose();
            throw Wrap(ex, plan.IndexTarget!);
        }
    }

    private static AtomicFile CopyOtherFile(string path, ConversionPlan plan, Func<Stream, Stream>? outputFilter)
    {
        string target = Path.Combine(plan.Destination, Path.GetFileName(path));
        var file = AtomicFile.Create(target, plan.Options.Force);
        try
        {
            var output = Filter(file.Stream, outputFilter);
            if (plan.DenseConfig is { } dense && ConversionPlan.IsConfig(path))
            {
                output.Write(dense);
            }
            else
            {
                using var input = FileSystem.SafeOpen.Read(path);
                input.CopyTo(output);
            }

            output.Flush();
            return file;
        }
        catch (Exception ex)
        {
            file.Dispose();
            throw Wrap(ex, target);
        }
    }

    private static Stream Filter(Stream stream, Func<Stream, Stream>? outputFilter) => outputFilter is null ? stream : outputFilter(stream);

    internal static Exception Wrap(Exception ex, string path) => ex switch
    {
        Mxfp4Exception or OperationCanceledException => ex,
        IOException or UnauthorizedAccessException => new OutputWriteException(path, $"Writing '{path}' failed: {ex.Message}", ex),
        _ => ex,
    };

    /// <summary>Streams shards; owns the one reusable chunk buffer and the expert buffers so memory stays bounded.</summary>
    private sealed class ShardWriter
    {
        private readonly Checkpoint _source;
        private readonly ConversionOptions _options;
        private readonly Action<ConversionProgress>? _progress;
        private readonly Func<Stream, Stream>? _outputFilter;
        private readonly long _totalBytes;
        private readonly CancellationToken _cancellationToken;
        private readonly byte[] _chunk;
        private readonly byte[] _spare;
        private byte[] _expert = [];
        private byte[] _transposed = [];
        private long _bytesDone;

        internal ShardWriter(Checkpoint source, ConversionOptions options, Action<ConversionProgress>? progress, Func<Stream, Stream>? outputFilter, long totalBytes, CancellationToken cancellationToken)
        {
            _source = source;
            _options = options;
            _progress = progress;
            _outputFilter = outputFilter;
            _totalBytes = totalBytes;
            _cancellationToken = cancellationToken;
            int elementBytes = options.Format.BytesPerElement();
            int unit = Mxfp4Format.BlockElements * elementBytes * 2;
            _chunk = GC.AllocateUninitializedArray<byte>(Math.Max(unit, options.ChunkBytes / unit * unit));
            _spare = GC.AllocateUninitializedArray<byte>(_chunk.Length);
        }

        internal AtomicFile Write(ShardPlan shard)
        {
            var file = AtomicFile.Create(shard.TargetPath, _options.Force, shard.FileLength);
            try
            {
                var output = Filter(file.Stream, _outputFilter);
                output.Write(shard.Layout.Prefix);
                long shardDone = shard.Layout.Prefix.Length;
                using (var pipeline = new WritePipeline(output, _chunk, _spare))
                {
                    foreach (var tensor in shard.Tensors)
                    {
                        _cancellationToken.ThrowIfCancellationRequested();
                        var report = (long written) =>
                        {
                            shardDone += written;
                            _bytesDone += written;
                            _progress?.Invoke(new ConversionProgress(shard.TargetPath, tensor.Spec.Name, shardDone, shard.FileLength, _bytesDone, _totalBytes));
                        };

                        if (tensor.CopyOf is { } copy)
                        {
                            Copy(copy, pipeline, report);
                        }
                        else if (tensor.Transpose)
                        {
                            pipeline.Drain();
                            DequantizeTransposed(tensor.Dequantize!, output, report);
                        }
                        else
                        {
                            Dequantize(tensor.Dequantize!, pipeline, report);
                        }
                    }

                    pipeline.Drain();
                }

                output.Flush();
                if (file.Stream.Length != shard.FileLength)
                {
                    throw new OutputWriteException(shard.TargetPath, $"Wrote {file.Stream.Length} bytes to '{shard.TargetPath}' but its header promises {shard.FileLength}.");
                }

                return file;
            }
            catch (Exception ex)
            {
                file.Dispose();
                throw Wrap(ex, shard.TargetPath);
            }
        }

        /// <summary>Copied through the pipeline too, so reading the mapped input overlaps writing the output.</summary>
        private void Copy(TensorInfo tensor, WritePipeline pipeline, Action<long> report)
        {
            var map = Open(tensor);
            for (long done = 0; done < tensor.ByteLength;)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int length = (int)Math.Min(_chunk.Length, tensor.ByteLength - done);
                map.GetSpan(tensor.DataOffset + done, length).CopyTo(pipeline.Buffer);
                pipeline.Submit(length, () => report(length));
                done += length;
            }
        }

        /// <summary>Decodes chunk n+1 while chunk n is being written.</summary>
        private void Dequantize(Mxfp4TensorInfo tensor, WritePipeline pipeline, Action<long> report)
        {
            var decoder = SourceOf(tensor);
            int elementBytes = _options.Format.BytesPerElement();
            long chunkElements = _chunk.Length / elementBytes;
            for (long first = 0; first < tensor.ElementCount; first += chunkElements)
            {
                long count = Math.Min(chunkElements, tensor.ElementCount - first);
                int length = checked((int)(count * elementBytes));
                ParallelDecoder.Decode(decoder, first, count, pipeline.Buffer.AsSpan(0, length), _options.Format, _options.Threads, _cancellationToken);
                pipeline.Submit(length, () => report(length));
            }
        }

        /// <summary>Each expert [out, in] is decoded whole and written as [in, out]; one expert bounds the extra memory.</summary>
        private void DequantizeTransposed(Mxfp4TensorInfo tensor, Stream output, Action<long> report)
        {
            var decoder = SourceOf(tensor);
            int elementBytes = _options.Format.BytesPerElement();
            int rows = checked((int)tensor.Shape[1]);
            int columns = checked((int)tensor.Shape[2]);
            int expertBytes = checked(rows * columns * elementBytes);
            if (_expert.Length < expertBytes)
            {
                _expert = GC.AllocateUninitializedArray<byte>(expertBytes);
                _transposed = GC.AllocateUninitializedArray<byte>(expertBytes);
            }

            long expertElements = (long)rows * columns;
            for (long e = 0; e < tensor.Shape[0]; e++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                ParallelDecoder.Decode(decoder, e * expertElements, expertElements, _expert.AsSpan(0, expertBytes), _options.Format, _options.Threads, _cancellationToken);
                ExpertTranspose.Transpose(_expert.AsSpan(0, expertBytes), _transposed.AsSpan(0, expertBytes), rows, columns, elementBytes);
                output.Write(_transposed, 0, expertBytes);
                report(expertBytes);
            }
        }

        private Mxfp4TensorSource SourceOf(Mxfp4TensorInfo tensor)
        {
            var blocks = Open(tensor.Blocks);
            var scales = Open(tensor.Scales);
            return new Mxfp4TensorSource(blocks, tensor.Blocks.DataOffset, scales, tensor.Scales.DataOffset, tensor.GroupCount);
        }

        /// <summary>The shard's map, after checking the file still has the length its header was read with: a shard
        /// truncated or replaced since it was opened is reported instead of faulting on unmapped pages.</summary>
        private MappedFile Open(TensorInfo tensor)
        {
            var header = _source.GetHeader(tensor.Path);
            long length = _source.CurrentLength(tensor.Path);
            if (length != header.FileLength)
            {
                throw new Mxfp4Exception(
                    "SourceChanged",
                    Mxfp4ErrorCategory.ReadError,
                    $"'{tensor.Path}' changed while it was being read: it was {header.FileLength} bytes and is now {length} (tensor '{tensor.Name}').",
                    tensor.Path);
            }

            return _source.GetMap(tensor.Path);
        }
    }
}
