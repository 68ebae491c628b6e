# Counts in messages agree with their nouns.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SparseCheckpoint.ps1')

    $one = Join-Path $TestDrive 'one'
    $null = New-Item -ItemType Directory $one
    New-SparseSafetensors -Path (Join-Path $one 'model.safetensors') -Tensor @(
        New-Mxfp4Pair 'w' 1 1 32
        @{ Name = 'norm'; DType = 'BF16'; Shape = @(4) }
    )
}

Describe 'Messages with counts' {
    It 'a conversion of one MXFP4 tensor and one copied tensor says so in the singular' {
        $verbose = ConvertFrom-Mxfp4 -Path $one -Destination (Join-Path $TestDrive 'one-bf16') -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '\(1 MXFP4 tensor to BF16, 1 copied, '   # the ShouldProcess message
        ($verbose.Message -join "`n") | Should -Match '(?m)^Converted 1 MXFP4 tensor to BF16 and copied 1 tensor: '
    }

    It 'a conversion of several MXFP4 tensors says so in the plural' {
        $verbose = ConvertFrom-Mxfp4 -Path $sharded -Destination (Join-Path $TestDrive 'tiny-bf16') -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '\(3 MXFP4 tensors to BF16, 12 copied, '
        ($verbose.Message -join "`n") | Should -Match '\(1 MXFP4 tensor to BF16, 13 copied, '
        ($verbose.Message -join "`n") | Should -Match '(?m)^Converted 4 MXFP4 tensors to BF16 and copied \d+ tensors: '
    }

    It 'an expert out of range of a one-expert tensor names 1 expert' {
        $null = Get-Mxfp4Tensor $one | ConvertFrom-Mxfp4 -Expert 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ExpertOutOfRange,Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
        $err[0].Exception.Message | Should -Be "Expert 1 is out of range: tensor 'w' has 1 expert (0..0)."
    }

    It 'a row out of range of a one-row matrix names 1 row' {
        $null = Get-Mxfp4Tensor $one | ConvertFrom-Mxfp4 -Expert 0 -Row 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Be "Row 1 is out of range: tensor 'w' has 1 row (0..0) per expert."
    }

    It 'a file shorter than the length prefix counts its one byte in the singular' {
        $tiny = Join-Path $TestDrive 'tiny.safetensors'
        [System.IO.File]::WriteAllBytes($tiny, [byte[]](0))
        $null = Get-SafetensorsHeader -LiteralPath $tiny -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match 'the file has 1 byte, fewer than the 8-byte header length prefix'
    }
}
