namespace Mxfp4.Fuzz;

/// <summary>Which parser a fuzz input is fed to.</summary>
public enum FuzzTarget
{
    /// <summary>A safetensors file: 8-byte length prefix, JSON header, data (the data is virtual zeros).</summary>
    Header,

    /// <summary>A <c>model.safetensors.index.json</c>.</summary>
    Index,

    /// <summary>A generated checkpoint directory (<see cref="CheckpointDirectoryGenerator"/>); <see cref="FuzzCase.FileLength"/> is the
    /// case number.</summary>
    Directory,
}
