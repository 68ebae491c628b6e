using System.Text.Json;
using System.Text.Json.Nodes;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Everything a conversion will write, computed from the source headers alone before any byte is written: every
/// shard's header and tensor order, the index, the other files. Creating a plan validates the whole input and the
/// destination, so a bad input is rejected with nothing touched.
/// </summary>
public sealed class ConversionPlan
{
    private const string ConfigFileName = "config.json";

    internal ConversionPlan(
        string destination,
        ConversionOptions options,
        IReadOnlyList<ShardPlan> shards,
        IReadOnlyList<string> otherFiles,
        string? indexTarget,
        string? sourceIndex,
        IReadOnlyList<KeyValuePair<string, string>> indexMetadata,
        byte[]? denseConfig)
    {
        IndexMetadata = indexMetadata;
        Destination = destination;
        Options = options;
        Shards = shards;
        OtherFiles = otherFiles;
        DenseConfig = denseConfig;
        IndexTarget = indexTarget;
        SourceIndex = sourceIndex;
    }

    public string Destination { get; }

    public ConversionOptions Options { get; }

    public IReadOnlyList<ShardPlan> Shards { get; }

    /// <summary>Non-safetensors files of the checkpoint directory, copied beside the shards (config.json edited for the
    /// Transformers layout).</summary>
    public IReadOnlyList<string> OtherFiles { get; }

    /// <summary>The rewritten index, when the source had one.</summary>
    public string? IndexTarget { get; }

    internal string? SourceIndex { get; }

    /// <summary>The source index's metadata but total_size, each value as its raw JSON text, for the rewritten index.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> IndexMetadata { get; }

    /// <summary>Bytes of all output shards.</summary>
    public long TotalBytes => Shards.Sum(s => s.FileLength);

    /// <summary>Sum of the output tensors' bytes: the index's total_size.</summary>
    public long TotalTensorBytes => Shards.Sum(s => s.Tensors.Sum(t => t.Spec.ByteLength));

    /// <summary>With the Transformers layout, config.json as it will be written (made up front, so a bad config fails before
    /// any shard is written).</summary>
    internal byte[]? DenseConfig { get; }

    internal static bool IsConfig(string path) => string.Equals(Path.GetFileName(path), ConfigFileName, StringComparison.Ordinal);

    public static ConversionPlan Create(Checkpoint source, string destination, ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        string target = Path.GetFullPath(destination);
        CheckDestination(source, target, options);

        var pairs = new List<Mxfp4TensorInfo>();
        foreach (var result in Mxfp4Pairing.Pair(source.Tensors))
        {
            if (result.Error is { } error)
            {
                throw error;
            }

            pairs.Add(result.Tensor!);
        }

        if (options.Layout == ConversionLayout.Transformers
            && pairs.FirstOrDefault(p => p.NamingStyle != Mxfp4NamingStyle.HuggingFace) is { } original)
        {
            throw new Mxfp4Exception(
                ErrorIds.LayoutNotSupported,
                Mxfp4ErrorCategory.InvalidArgument,
                $"'{original.Blocks.Name}' uses original gpt-oss naming; "
                    + "the Transformers layout needs a Hugging Face checkpoint (X_blocks/X_scales).",
                original.Blocks.Name);
        }

        var pairByBlocks = pairs.ToDictionary(p => p.Blocks.Name, StringComparer.Ordinal);
        var scalesNames = pairs.Select(p => p.Scales.Name).ToHashSet(StringComparer.Ordinal);
        var shards = new List<ShardPlan>();
        foreach (var shardPath in source.ShardPaths)
        {
            var header = source.GetHeader(shardPath);
            var tensors = new List<PlannedTensor>();
            foreach (var tensor in header.Tensors)
            {
                if (pairByBlocks.TryGetValue(tensor.Name, out var pair))
                {
                    bool transpose = options.Layout == ConversionLayout.Transformers && IsExpertWeight(pair);
                    if (transpose)
                    {
                        // Refused here, before anything is written: each expert is transposed in one array.
                        _ = ExpertTranspose.ExpertBytes(pair, Numerics.OutputFormats.BytesPerElement(options.Format));
                    }

                    tensors.Add(PlannedTensor.Dequantized(
                        new TensorSpec(pair.Name, ToDType(options), OutputShape(pair, transpose)), pair, transpose));
                }
                else if (!scalesNames.Contains(tensor.Name))
                {
                    tensors.Add(PlannedTensor.Copy(tensor));
                }
            }

            var layout = SafetensorsLayout.Create(tensors.Select(t => t.Spec).ToList(), header.Metadata);
            shards.Add(new ShardPlan(shardPath, Path.Combine(target, Path.GetFileName(shardPath)), tensors, layout));
        }

        var otherFiles = ListOtherFiles(source, options);
        string? indexTarget = source.IndexPath is null ? null : Path.Combine(target, Path.GetFileName(source.IndexPath));
        CheckOutputs(shards, indexTarget, source.IndexPath, target, otherFiles);
        var indexMetadata = source.IndexPath is null ? [] : ReadIndexMetadata(source.IndexPath);
        byte[]? denseConfig = options.Layout == ConversionLayout.Transformers && otherFiles.FirstOrDefault(IsConfig) is { } config
            ? WithoutQuantization(config)
            : null;
        return new ConversionPlan(target, options, shards, otherFiles, indexTarget, source.IndexPath, indexMetadata, denseConfig);
    }

    /// <summary>The checkpoint directory's files other than shards, the index and our temporaries (none for a lone file or
    /// with SafetensorsOnly).</summary>
    internal static List<string> ListOtherFiles(Checkpoint source, ConversionOptions options)
    {
        var otherFiles = new List<string>();
        bool isDirectoryCheckpoint = Directory.Exists(source.Path) || source.IndexPath is not null;
        if (isDirectoryCheckpoint && !options.SafetensorsOnly)
        {
            var shardPaths = source.ShardPaths.ToHashSet(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(source.RootDirectory).Order(StringComparer.Ordinal))
            {
                // A shard is converted, never also copied, whatever its name's case or extension.
                bool isCheckpointFile = shardPaths.Contains(file)
                    || file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                    || string.Equals(file, source.IndexPath, StringComparison.Ordinal)
                    || file.EndsWith(AtomicFile.TemporarySuffix, StringComparison.Ordinal);
                if (!isCheckpointFile)
                {
                    RequireRegularFile(file, source.Path);
                    otherFiles.Add(file);
                }
            }
        }
        return otherFiles;
    }

    /// <summary>
    /// Before anything is written: no two outputs share a name, none of them is (by any link or spelling) a source
    /// file, and none is taken by something other than a regular file.
    /// </summary>
    internal static void CheckOutputs(
        IEnumerable<ShardPlan> shards,
        string? indexTarget,
        string? indexSource,
        string target,
        IEnumerable<string> otherFiles)
    {
        var outputs = shards.Select(s => (s.TargetPath, s.SourcePath))
            .Concat(indexTarget is null ? [] : [(indexTarget, indexSource!)])
            .Concat(otherFiles.Select(f => (Path.Combine(target, Path.GetFileName(f)), f)))
            .ToList();
        OutputNamePlan.ThrowIfAnyCollide(outputs);
        DestinationGuard.ThrowIfAnyOutputIsASource(outputs.Select(o => o.Item1), outputs.Select(o => o.Item2));
        DestinationGuard.ThrowIfAnyOutputIsNotAFile(outputs.Select(o => o.Item1));
    }

    /// <summary>
    /// The index's metadata values as raw JSON. <see cref="Checkpoint.IndexMetadata"/> unquotes strings for display,
    /// which loses the difference between "pt" and pt or "123" and 123; the rewritten index must keep every type.
    /// </summary>
    internal static List<KeyValuePair<string, string>> ReadIndexMetadata(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(SafeOpen.ReadAllBytes(indexPath));
            if (!document.RootElement.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            return metadata.EnumerateObject()
                .Where(p => p.Name != "total_size")
                .Select(p => KeyValuePair.Create(p.Name, p.Value.GetRawText()))
                .ToList();
        }
        catch (JsonException ex)
        {
            throw new Mxfp4Exception(
                ErrorIds.SourceChanged,
                Mxfp4ErrorCategory.ReadError,
                $"'{indexPath}' changed after it was opened and is no longer valid JSON: {ex.Message}",
                indexPath,
                ex);
        }
    }

    /// <summary>The gpt-oss expert weights that transformers' dense modules expect as [E, in, out].</summary>
    private static bool IsExpertWeight(Mxfp4TensorInfo pair) => GptOssNames.IsTransformersExpertWeight(pair.Name, pair.Shape.Length);

    private static long[] OutputShape(Mxfp4TensorInfo pair, bool transpose)
        => transpose ? [pair.Shape[0], pair.Shape[2], pair.Shape[1]] : pair.Shape;

    private static SafetensorsDType ToDType(ConversionOptions options) => options.Format switch
    {
        Numerics.OutputFormat.F32 => SafetensorsDType.F32,
        Numerics.OutputFormat.BF16 => SafetensorsDType.BF16,
        Numerics.OutputFormat.F16 => SafetensorsDType.F16,
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "Unknown output format."),
    };

    internal static void CheckDestination(Checkpoint source, string target, ConversionOptions options)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(target);
        DestinationGuard.ThrowIfDestinationIsSource(source, trimmed);

        string? parent = Path.GetDirectoryName(trimmed);
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new Mxfp4Exception(
                ErrorIds.DestinationParentNotFound,
                Mxfp4ErrorCategory.ObjectNotFound,
                $"The parent directory of the destination '{target}' does not exist.",
                target);
        }

        if (File.Exists(trimmed))
        {
            throw new OutputExistsException(target, $"The destination '{target}' is a file; a checkpoint is written into a directory.");
        }

        if (!options.Force && Directory.Exists(trimmed) && Directory.EnumerateFileSystemEntries(trimmed).Any())
        {
            throw new OutputExistsException(target, $"The destination '{target}' exists and is not empty{PartialsNote(trimmed)}.");
        }
    }

    /// <summary>Names what a stopped run left, which is otherwise a mystery: a destination that looks empty in ls.</summary>
    private static string PartialsNote(string directory)
    {
        var partials = Directory.EnumerateFiles(directory, "*" + TemporaryName.Suffix)
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToList();
        return partials.Count == 0
            ? string.Empty
            : $": it holds {Plural.Of(partials.Count, "temporary file", "temporary files")} of a conversion that was stopped "
                + $"({string.Join(", ", partials.Take(3))}{(partials.Count > 3 ? ", ..." : string.Empty)})";
    }

    /// <summary>Only regular files are copied: a FIFO would block the copy, a device (a link to /dev/zero) would never end.</summary>
    private static void RequireRegularFile(string file, string checkpointPath)
    {
        switch (FileStatus.Of(file))
        {
            case null:
                throw new CheckpointException(
                    ErrorIds.CheckpointReadFailed,
                    Mxfp4ErrorCategory.ReadError,
                    $"'{file}' in the checkpoint directory cannot be read (a dangling link?); it would be copied.",
                    checkpointPath,
                    file);
            case { Kind: not FileKind.Regular } status:
                throw new UnsupportedFileTypeException(file, status.Kind, "; it cannot be copied with the checkpoint");
        }
    }

    /// <summary>The unquantized model's config: the same, less quantization_config, which would make loaders expect MXFP4.</summary>
    private static byte[] WithoutQuantization(string path)
    {
        var config = ReadConfig(path);

        if (config is JsonObject root)
        {
            root.Remove("quantization_config");
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            (config ?? JsonValue.Create((string?)null))!.WriteTo(json);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>A config.json as a JSON tree; not JSON is <c>InvalidConfig</c>.</summary>
    internal static JsonNode? ReadConfig(string path)
    {
        try
        {
            return JsonNode.Parse(SafeOpen.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new Mxfp4Exception(
                ErrorIds.InvalidConfig, Mxfp4ErrorCategory.InvalidData, $"'{path}' is not valid JSON: {ex.Message}", path, ex);
        }
    }
}
