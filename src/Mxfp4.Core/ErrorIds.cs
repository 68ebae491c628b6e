namespace Mxfp4.Core;

/// <summary>
/// Every error and warning id the module emits, the part of FullyQualifiedErrorId before the comma. Each is stable
/// text that users match on; README.md's error table and about_Mxfp4 explain each one (a test keeps the three alike).
/// </summary>
public static class ErrorIds
{
    /// <summary>A -Path pattern matches nothing, or a -LiteralPath or checkpoint path does not exist. (ObjectNotFound)</summary>
    public const string PathNotFound = nameof(PathNotFound);

    /// <summary>The path is on a provider other than FileSystem. (InvalidArgument)</summary>
    public const string NotFileSystemPath = nameof(NotFileSystemPath);

    /// <summary>A directory holds neither an index nor any *.safetensors file. (ObjectNotFound)</summary>
    public const string NoSafetensorsFiles = nameof(NoSafetensorsFiles);

    /// <summary>
    /// A shard breaks a rule of the format; the message ends with the Kind (FileTooSmall, HeaderTooLarge, InvalidHeaderLength, InvalidUtf8,
    /// NulPadding, InvalidJson, NestingTooDeep, InvalidType, MissingField, UnknownField, UnknownDType, InvalidNumber, DuplicateKey,
    /// InvalidMetadata, InvalidOffsets, ShapeOverflow, SizeMismatch, TrailingBytes or TruncatedFile). (InvalidData)
    /// </summary>
    public const string InvalidSafetensorsHeader = nameof(InvalidSafetensorsHeader);

    /// <summary>
    /// The index is not valid (not UTF-8 or JSON, not an object, a duplicate key, no or an empty weight_map, non-string shard names, a
    /// shard name with a control character or naming the directory itself such as ., larger than 100,000,000 bytes), or a shard holds a
    /// tensor that the weight_map does not assign to it. (InvalidData)
    /// </summary>
    public const string InvalidCheckpointIndex = nameof(InvalidCheckpointIndex);

    /// <summary>A shard named by the index does not exist (or is a dangling link or a loop of links). (ObjectNotFound)</summary>
    public const string ShardNotFound = nameof(ShardNotFound);

    /// <summary>
    /// A shard name in the index is empty or absolute, or has a .. component (with / or \). Links are followed wherever they lead; only the
    /// name is checked. (InvalidData)
    /// </summary>
    public const string ShardOutsideCheckpoint = nameof(ShardOutsideCheckpoint);

    /// <summary>The weight_map places a tensor in a shard that does not hold it. (InvalidData)</summary>
    public const string TensorNotInShard = nameof(TensorNotInShard);

    /// <summary>
    /// Without an index, two files of a directory hold a tensor of the same name (Test-SafetensorsCheckpoint: also two shards of an index).
    /// (InvalidData)
    /// </summary>
    public const string DuplicateTensorName = nameof(DuplicateTensorName);

    /// <summary>A file could not be read (an I/O error). (ReadError)</summary>
    public const string CheckpointReadFailed = nameof(CheckpointReadFailed);

    /// <summary>
    /// A file to be read (a shard, the index, config.json, a file a conversion copies) is a directory, FIFO, device or socket rather than a
    /// regular file, or -OutFile names a directory, block device or socket. Refused before anything is read or written. (InvalidData)
    /// </summary>
    public const string UnsupportedFileType = nameof(UnsupportedFileType);

    /// <summary>A file may not be read. (PermissionDenied)</summary>
    public const string CheckpointAccessDenied = nameof(CheckpointAccessDenied);

    /// <summary>An MXFP4 scales tensor has no blocks tensor. (InvalidData)</summary>
    public const string BlocksMissing = nameof(BlocksMissing);

    /// <summary>An MXFP4 blocks tensor has no scales tensor. (InvalidData)</summary>
    public const string ScalesMissing = nameof(ScalesMissing);

    /// <summary>A blocks or scales tensor is not U8. (InvalidData)</summary>
    public const string Mxfp4DTypeMismatch = nameof(Mxfp4DTypeMismatch);

    /// <summary>The shapes are not blocks [..., G, 16] with scales [..., G]. (InvalidData)</summary>
    public const string Mxfp4ShapeMismatch = nameof(Mxfp4ShapeMismatch);

    /// <summary>
    /// ConvertFrom-Mxfp4 got one half of an MXFP4 pair as a TensorInfo; pipe it through Get-Mxfp4Tensor. (InvalidArgument)
    /// </summary>
    public const string UnpairedMxfp4Tensor = nameof(UnpairedMxfp4Tensor);

    /// <summary>
    /// ConvertFrom-Mxfp4 got a tensor whose dtype it cannot convert (anything but BF16, F16, F8_E4M3, F8_E5M2 and F32), or ConvertTo-Mxfp4
    /// a tensor it cannot encode (anything but F32, BF16 and F16). (InvalidArgument)
    /// </summary>
    public const string UnsupportedDType = nameof(UnsupportedDType);

    /// <summary>
    /// ConvertTo-Mxfp4 got a tensor whose last axis (the input axis of a transposed expert) is not a multiple of 32, or a scalar.
    /// (InvalidArgument)
    /// </summary>
    public const string NotBlockAligned = nameof(NotBlockAligned);

    /// <summary>ConvertFrom-Mxfp4 or ConvertTo-Mxfp4 got an object that is not a tensor record it takes. (InvalidArgument)</summary>
    public const string UnsupportedInput = nameof(UnsupportedInput);

    /// <summary>
    /// ConvertFrom-Mxfp4 got a path from the pipeline without -Destination; give -Destination to convert a whole checkpoint, or pipe Get-
    /// Mxfp4Tensor records. (InvalidArgument)
    /// </summary>
    public const string DestinationRequired = nameof(DestinationRequired);

    /// <summary>
    /// The file system refused or lost a file in a way the engine did not anticipate (a file locked, vanished or unreadable while it was
    /// used). (ReadError)
    /// </summary>
    public const string FileAccessFailed = nameof(FileAccessFailed);

    /// <summary>-Expert on a tensor that is not 3-D, or -AsStream with rows that are not consecutive. (InvalidArgument)</summary>
    public const string InvalidSlice = nameof(InvalidSlice);

    /// <summary>An -Expert index beyond the tensor's experts. (InvalidArgument)</summary>
    public const string ExpertOutOfRange = nameof(ExpertOutOfRange);

    /// <summary>A -Row index beyond the matrix's rows. (InvalidArgument)</summary>
    public const string RowOutOfRange = nameof(RowOutOfRange);

    /// <summary>An in-memory result would exceed -MemoryLimit or the largest array. (LimitsExceeded)</summary>
    public const string TensorTooLarge = nameof(TensorTooLarge);

    /// <summary>
    /// A file changed after it was listed or while it was read (also during Test-SafetensorsCheckpoint -Deep); list the checkpoint again.
    /// (ReadError)
    /// </summary>
    public const string SourceChanged = nameof(SourceChanged);

    /// <summary>
    /// The -OutFile file or a -Destination directory with files in it exists (use -Force), or the destination is a file; temporary
    /// *.mxfp4-partial files of a stopped conversion are named, and -Force removes them. (ResourceExists)
    /// </summary>
    public const string OutputExists = nameof(OutputExists);

    /// <summary>Writing an output failed (disk full, permissions, a device error); nothing was left behind. (WriteError)</summary>
    public const string OutputWriteFailed = nameof(OutputWriteFailed);

    /// <summary>
    /// The -OutFile path reaches (by any link or spelling) a shard that an input tensor is read from; nothing is written. (InvalidArgument)
    /// </summary>
    public const string OutputIsInput = nameof(OutputIsInput);

    /// <summary>
    /// An input failed, or no input arrived (the command before it failed), so the -OutFile file was not written and an existing one was
    /// left as it was. (WriteError)
    /// </summary>
    public const string OutFileNotWritten = nameof(OutFileNotWritten);

    /// <summary>
    /// The -Destination is the source checkpoint's directory or inside it, or an output it would write is a source file — compared as
    /// resolved files, so links, . and .. do not hide it. (InvalidArgument)
    /// </summary>
    public const string DestinationIsSource = nameof(DestinationIsSource);

    /// <summary>The parent of the -Destination does not exist. (ObjectNotFound)</summary>
    public const string DestinationParentNotFound = nameof(DestinationParentNotFound);

    /// <summary>
    /// Two files a conversion would write have the same name (shards a/model.safetensors and b/model.safetensors, or a shard named like a
    /// copied file); nothing is written. (InvalidData)
    /// </summary>
    public const string OutputNameCollision = nameof(OutputNameCollision);

    /// <summary>-Layout Transformers on a checkpoint with original gpt-oss naming. (InvalidArgument)</summary>
    public const string LayoutNotSupported = nameof(LayoutNotSupported);

    /// <summary>
    /// Config.json is not valid JSON where it must be read or rewritten (ConvertFrom-Mxfp4 -Layout Transformers, ConvertTo-Mxfp4 quantizing
    /// with Hugging Face naming, Test-SafetensorsCheckpoint). (InvalidData)
    /// </summary>
    public const string InvalidConfig = nameof(InvalidConfig);

    /// <summary>
    /// A -Vector whose length is not the matrix's column count, a -Bias whose length is not its row count, SwiGLU on an odd number of rows,
    /// a checkpoint bias too short for the rows, or blocks and scales that do not form whole rows. (InvalidArgument, or InvalidData for a
    /// checkpoint bias)
    /// </summary>
    public const string ShapeMismatch = nameof(ShapeMismatch);

    /// <summary>An MXFP4 matrix reaches beyond the end of its file. (InvalidData)</summary>
    public const string TensorOutOfRange = nameof(TensorOutOfRange);

    /// <summary>
    /// A product would have more values than one array can hold, a matrix is wider than a vector can be, a tensor has more experts than
    /// -Expert can address, or one expert is too large for -Layout Transformers. (LimitsExceeded)
    /// </summary>
    public const string LimitsExceeded = nameof(LimitsExceeded);

    /// <summary>-WithBias found no bias tensor for the weight. (ObjectNotFound)</summary>
    public const string BiasNotFound = nameof(BiasNotFound);

    /// <summary>-Bias and -WithBias were both given; this one is terminating. (InvalidArgument)</summary>
    public const string BiasConflict = nameof(BiasConflict);

    /// <summary>Test-SafetensorsCheckpoint: a shard holds a tensor that the index's weight_map does not list. (InvalidData)</summary>
    public const string TensorNotIndexed = nameof(TensorNotIndexed);

    /// <summary>
    /// Test-SafetensorsCheckpoint: in a Hugging Face cache snapshot, a link whose blob is missing, or a blobs/*.incomplete file (an
    /// interrupted download). (ObjectNotFound or InvalidData)
    /// </summary>
    public const string IncompleteDownload = nameof(IncompleteDownload);

    /// <summary>
    /// Test-SafetensorsCheckpoint -Hash: a shard's SHA-256 differs from its Hugging Face blob name or from its -Manifest line.
    /// (InvalidData)
    /// </summary>
    public const string HashMismatch = nameof(HashMismatch);

    /// <summary>The -Manifest file is not in the sha256sum format (or lists a file twice). (InvalidData)</summary>
    public const string InvalidManifest = nameof(InvalidManifest);

    /// <summary>
    /// Test-SafetensorsCheckpoint -Deep: a float tensor holds NaN or infinite values, or an MXFP4 pair NaN blocks (scale 255); the message
    /// gives the counts. (InvalidData)
    /// </summary>
    public const string NonFiniteValues = nameof(NonFiniteValues);

    /// <summary>
    /// Test-SafetensorsCheckpoint: a *.safetensors file in the checkpoint directory that the index never names. (warning)
    /// </summary>
    public const string ShardNotIndexed = nameof(ShardNotIndexed);

    /// <summary>
    /// Test-SafetensorsCheckpoint: config.json's quantization_config does not declare MXFP4 while the shards hold MXFP4 pairs, or declares
    /// it while they hold none. (warning)
    /// </summary>
    public const string QuantizationConfigMismatch = nameof(QuantizationConfigMismatch);

    /// <summary>Test-SafetensorsCheckpoint -Manifest: the manifest lists no hash for a shard. (warning)</summary>
    public const string NotInManifest = nameof(NotInManifest);
}
