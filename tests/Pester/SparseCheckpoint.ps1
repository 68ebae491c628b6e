# Writes safetensors files whose header declares real shapes while the data stays sparse (SetLength, no bytes
# written): gpt-oss-sized tensors cost a header's worth of disk and time. Zero bytes are valid MXFP4 (scale 2^-127,
# value 0) and valid floats, so every cmdlet reads such a file.
function New-SparseSafetensors {
    param(
        [Parameter(Mandatory)] [string] $Path,
        # @{ Name = '...'; DType = 'U8'; Shape = @(...) }, in file order.
        [Parameter(Mandatory)] [hashtable[]] $Tensor,
        [hashtable] $Metadata
    )

    $elementBytes = @{ U8 = 1; I8 = 1; BF16 = 2; F16 = 2; F32 = 4 }
    $header = [ordered]@{}
    if ($Metadata) { $header['__metadata__'] = $Metadata }
    [long] $offset = 0
    foreach ($t in $Tensor) {
        [long] $bytes = $elementBytes[$t.DType]
        foreach ($d in $t.Shape) { $bytes *= $d }
        $header[$t.Name] = [ordered]@{ dtype = $t.DType; shape = @($t.Shape); data_offsets = @($offset, ($offset + $bytes)) }
        $offset += $bytes
    }

    $json = $header | ConvertTo-Json -Compress -Depth 5
    # The format pads the header with spaces to a multiple of 8 so the data stays aligned.
    $json = $json.PadRight([int]([Math]::Ceiling($json.Length / 8) * 8))
    $jsonBytes = [System.Text.Encoding]::UTF8.GetBytes($json)
    $file = [System.IO.File]::Create($Path)
    try {
        $file.Write([BitConverter]::GetBytes([long]$jsonBytes.Length))
        $file.Write($jsonBytes)
        $file.SetLength(8 + $jsonBytes.Length + $offset)
    }
    finally {
        $file.Dispose()
    }
}

# An MXFP4 pair in Hugging Face naming: <Name>_blocks U8 [E, R, G, 16] and <Name>_scales U8 [E, R, G].
function New-Mxfp4Pair {
    param([string] $Name, [long] $Experts, [long] $Rows, [long] $Columns)
    $groups = $Columns / 32
    @{ Name = "${Name}_blocks"; DType = 'U8'; Shape = @($Experts, $Rows, $groups, 16) }
    @{ Name = "${Name}_scales"; DType = 'U8'; Shape = @($Experts, $Rows, $groups) }
}
