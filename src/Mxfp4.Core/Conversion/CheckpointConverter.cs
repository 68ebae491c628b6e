using System.Diagnostics;
using System.Text.Json;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Writes a <see cref="ConversionPlan"/>: every shard streams through the parallel decoder in bounded chunks into a
/// temporary file in the destination; only when every file is complete are they all renamed into place. Any failure
/// or cancellation deletes the temporary files and leaves the destination as it was.
/// </summary>
public static class CheckpointConverter
{
    private const string TotalParametersKey = "total_parameters";

    /// <summary>Converts <paramref name="source"/> as planned. <paramref name="shards"/> limits the output to some shards (from -Confirm);
    /// the index is then left out, since it would name missing files.</summary>
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
            CreateDestination(plan.Destination, createdDestination);
            if (plan.Options.Force)
            {
                RemovePartials(plan);
            }

            IReadOnlyDictionary<string, long> nonFiniteBlocks;
            using (var writer = new ShardWriter(source, plan.Options, progress, outputFilter, selected.Sum(s => s.FileLength),
                cancellationToken))
            {
                foreach (var shard in selected)
                {
                    pending.Add(writer.Write(shard));
                }

                writer.CheckUnchanged();
                nonFiniteBlocks = writer.NonFiniteBlocks;
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
                    pending.Add(CopyOtherFile(file, plan, outputFilter, cancellationToken));
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
                clock.Elapsed)
            {
                NonFiniteBlocks = nonFiniteBlocks,
            };
        }
        finally
        {
            // Uncommitted files delete their temporaries; committed ones are left alone.
            foreach (var file in pending)
            {
                file.Dispose();
            }

            TemporaryFileRegistry.ForgetDirectory(plan.Destination);

            if (!succeeded && createdDestination && Directory.Exists(plan.Destination)
                && !Directory.EnumerateFileSystemEntries(plan.Destination).Any())
            {
                Directory.Delete(plan.Destination);
            }
        }
    }

    private static void CreateDestination(string destination, bool created)
    {
        try
        {
            if (created)
            {
                // Registered first, so a SIGTERM at any later moment removes it with the temporary files.
                TemporaryFileRegistry.AddDirectory(destination);
            }

            Directory.CreateDirectory(destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException(destination, $"Cannot create the destination '{destination}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A killed run's temporary files for the outputs planned now: they made the destination "not empty" and are
    /// garbage, so -Force removes them (and only them: other runs' files of other names are not ours to judge).
    /// </summary>
    private static void RemovePartials(ConversionPlan plan)
    {
        var names = plan.Shards.Select(s => s.TargetPath)
            .Concat(plan.OtherFiles)
            .Append(plan.IndexTarget ?? string.Empty)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n.Length > 0);
        foreach (var partial in TemporaryName.FindPartials(plan.Destination, names))
        {
            try
            {
                File.Delete(partial);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new OutputWriteException(partial, $"Cannot remove '{partial}', left by an earlier run that was stopped: {ex.Message}",
                    ex);
            }
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
                    if (key == TotalParametersKey)
                    {
                        // The source's count describes its own tensors (MXFP4 halves, or a different set); the
                        // output's is the elements of the tensors written.
                        json.WriteNumberValue(plan.Shards.Sum(s => s.Tensors.Sum(t => t.Spec.ElementCount)));
                    }
                    else
                    {
                        json.WriteRawValue(rawValue);
                    }
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

    private static AtomicFile CopyOtherFile(string path, ConversionPlan plan, Func<Stream, Stream>? outputFilter,
        CancellationToken cancellationToken)
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
                CopyChunks(input, output, cancellationToken);
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

    /// <summary>Stream.CopyTo, with Ctrl+C honoured between chunks: a copied file may be gigabytes (a consolidated .pth, a GGUF).</summary>
    private static void CopyChunks(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            output.Write(buffer, 0, read);
        }
    }

    private static Stream Filter(Stream stream, Func<Stream, Stream>? outputFilter) => outputFilter is null ? stream
        : outputFilter(stream);

    internal static Exception Wrap(Exception ex, string path) => ex switch
    {
        Mxfp4Exception or OperationCanceledException => ex,
        IOException or UnauthorizedAccessException => new OutputWriteException(path, $"Writing '{path}' failed: {ex.Message}", ex),
        _ => ex,
    };

    /// <summary>Streams shards; owns the reusable chunk buffers and the expert buffers so memory stays bounded.</summary>
    private sealed class ShardWriter : IDisposable
    {
        private readonly ShardInput _input;
        private readonly ConversionOptions _options;
        private readonly Action<ConversionProgress>? _progress;
        private readonly Func<Stream, Stream>? _outputFilter;
        private readonly long _totalBytes;
        private readonly CancellationToken _cancellationToken;
        private readonly byte[] _chunk;
        private readonly byte[] _spare;
        private readonly byte[] _blocks;
        private readonly byte[] _scales;
        private readonly QuantizingWriter _quantizer;
        private byte[] _expert = [];
        private byte[] _transposed = [];
        private byte[] _expertBlocks = [];
        private byte[] _expertScales = [];
        private long _bytesDone;

        internal ShardWriter(Checkpoint source, ConversionOptions options, Action<ConversionProgress>? progress, Func<Stream,
            Stream>? outputFilter, long totalBytes, CancellationToken cancellationToken)
        {
            _input = new ShardInput(source);
            _options = options;
            _progress = progress;
            _outputFilter = outputFilter;
            _totalBytes = totalBytes;
            _cancellationToken = cancellationToken;
            int elementBytes = options.Format.BytesPerElement();
            int unit = Mxfp4Format.BlockElements * elementBytes * 2;
            _chunk = GC.AllocateUninitializedArray<byte>(Math.Max(unit, options.ChunkBytes / unit * unit));
            _spare = GC.AllocateUninitializedArray<byte>(_chunk.Length);
            int chunkGroups = _chunk.Length / elementBytes / Mxfp4Format.BlockElements;
            _blocks = GC.AllocateUninitializedArray<byte>(chunkGroups * Mxfp4Format.BlockBytes);
            _scales = GC.AllocateUninitializedArray<byte>(chunkGroups);
            _quantizer = new QuantizingWriter(_input, options.Threads, cancellationToken);
        }

        internal IReadOnlyDictionary<string, long> NonFiniteBlocks => _quantizer.NonFiniteBlocks;

        public void Dispose() => _input.Dispose();

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
                            _progress?.Invoke(
                                new ConversionProgress(shard.TargetPath, tensor.Spec.Name, shardDone, shard.FileLength, _bytesDone,
                                _totalBytes));
                        };

                        if (tensor.CopyOf is { } copy)
                        {
                            Copy(copy, pipeline, report);
                        }
                        else if (tensor.Quantize is { } quantize)
                        {
                            _quantizer.Write(quantize, pipeline, report);
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

                        _input.CheckUnchanged(tensor.Spec.Name);
                    }

                    pipeline.Drain();
                }

                output.Flush();
                if (file.Stream.Length != shard.FileLength)
                {
                    throw new OutputWriteException(shard.TargetPath,
                        $"Wrote {file.Stream.Length} bytes to '{shard.TargetPath}' but its header promises {shard.FileLength}.");
                }

                return file;
            }
            catch (Exception ex)
            {
                file.Dispose();
                throw Wrap(ex, shard.TargetPath);
            }
        }

        /// <summary>Whether any source read so far changed; run once more after the last shard, before anything is committed.</summary>
        internal void CheckUnchanged() => _input.CheckUnchanged("(after the last tensor)");

        /// <summary>Copied through the pipeline too, so reading the input overlaps writing the output.</summary>
        private void Copy(TensorInfo tensor, WritePipeline pipeline, Action<long> report)
        {
            for (long done = 0; done < tensor.ByteLength;)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int length = (int)Math.Min(_chunk.Length, tensor.ByteLength - done);
                _input.Read(tensor, tensor.DataOffset + done, pipeline.Buffer.AsSpan(0, length));
                pipeline.Submit(length, () => report(length));
                done += length;
            }
        }

        /// <summary>Reads and decodes chunk n+1 while chunk n is being written.</summary>
        private void Dequantize(Mxfp4TensorInfo tensor, WritePipeline pipeline, Action<long> report)
        {
            int elementBytes = _options.Format.BytesPerElement();
            long chunkGroups = _scales.Length;
            for (long firstGroup = 0; firstGroup < tensor.GroupCount; firstGroup += chunkGroups)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                int groups = (int)Math.Min(chunkGroups, tensor.GroupCount - firstGroup);
                var source = ReadGroups(tensor, firstGroup, groups, _blocks, _scales);
                int length = checked(groups * Mxfp4Format.BlockElements * elementBytes);
                ParallelDecoder.Decode(source, 0, source.ElementCount, pipeline.Buffer.AsSpan(0, length), _options.Format, _options.Threads,
                    _cancellationToken);
                pipeline.Submit(length, () => report(length));
            }
        }

        /// <summary>Each expert [out, in] is decoded whole and written as [in, out]; one expert bounds the extra memory.</summary>
        private void DequantizeTransposed(Mxfp4TensorInfo tensor, Stream output, Action<long> report)
        {
            int elementBytes = _options.Format.BytesPerElement();
            int expertBytes = ExpertTranspose.ExpertBytes(tensor, elementBytes);
            int rows = (int)tensor.Shape[1];
            int columns = (int)tensor.Shape[2];
            int expertGroups = rows * columns / Mxfp4Format.BlockElements;
            if (_expert.Length < expertBytes)
            {
                _expert = GC.AllocateUninitializedArray<byte>(expertBytes);
                _transposed = GC.AllocateUninitializedArray<byte>(expertBytes);
                _expertBlocks = GC.AllocateUninitializedArray<byte>(expertGroups * Mxfp4Format.BlockBytes);
                _expertScales = GC.AllocateUninitializedArray<byte>(expertGroups);
            }

            for (long e = 0; e < tensor.Shape[0]; e++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var source = ReadGroups(tensor, e * expertGroups, expertGroups, _expertBlocks, _expertScales);
                ParallelDecoder.Decode(source, 0, source.ElementCount, _expert.AsSpan(0, expertBytes), _options.Format, _options.Threads,
                    _cancellationToken);
                ExpertTranspose.Transpose(
                    _expert.AsSpan(0, expertBytes), _transposed.AsSpan(0, expertBytes), rows, columns, elementBytes, _options.Threads);
                output.Write(_transposed, 0, expertBytes);
                report(expertBytes);
            }
        }

        /// <summary>Groups [first, first + count) of the tensor, read into the given buffers.</summary>
        private Mxfp4TensorSource ReadGroups(Mxfp4TensorInfo tensor, long firstGroup, int count, byte[] blocks, byte[] scales)
        {
            var blockSpan = blocks.AsMemory(0, count * Mxfp4Format.BlockBytes);
            var scaleSpan = scales.AsMemory(0, count);
            _input.Read(tensor.Blocks, tensor.Blocks.DataOffset + (firstGroup * Mxfp4Format.BlockBytes), blockSpan.Span);
            _input.Read(tensor.Scales, tensor.Scales.DataOffset + firstGroup, scaleSpan.Span);
            return new Mxfp4TensorSource(blockSpan, scaleSpan);
        }
    }
}
