# The engine's messages state the fact; the advice, in the words of the cmdlets' parameters, is the error record's
# RecommendedAction (ErrorDetails), which the default error view shows as "Recommendation:".
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $down = Get-Mxfp4Tensor $sharded -Name 'model.layers.0.mlp.experts.down_proj'
    $from = 'Mxfp4.PowerShell.Commands.ConvertFromMxfp4Command'
    $parameter = '(^|\s)-[A-Z][A-Za-z]+'
}

Describe 'Parameter advice in RecommendedAction' {
    It 'OutputExists for an -OutFile: the message names the file, the advice -Force' {
        $out = Join-Path $TestDrive 'existing.bin'
        Set-Content $out 'keep me' -NoNewline
        # Refused before any input is read, so it stops the pipeline.
        $err = try { $down | ConvertFrom-Mxfp4 -OutFile $out -ErrorAction Stop } catch { $_ }
        $err.FullyQualifiedErrorId | Should -Be "OutputExists,$from"
        $err.Exception.Message | Should -Be "The file '$out' already exists."
        $err.ErrorDetails.RecommendedAction | Should -Be 'Add -Force to replace the file, or choose another -OutFile.'
    }

    It 'OutputExists for a destination directory that is not empty: the advice says what -Force does there' {
        $destination = Join-Path $TestDrive 'full'
        $null = New-Item -ItemType Directory $destination
        Set-Content (Join-Path $destination 'other.txt') 'x'
        ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be "OutputExists,$from"
        $err[0].Exception.Message | Should -Not -Match $parameter
        $err[0].ErrorDetails.RecommendedAction | Should -Match '^Add -Force to write into the destination'
    }

    It 'OutputExists for a destination that is a file: the advice is another -Destination, not -Force' {
        $destination = Join-Path $TestDrive 'a-file'
        Set-Content $destination 'x'
        ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be "OutputExists,$from"
        $err[0].ErrorDetails.RecommendedAction | Should -Be 'Give a -Destination that is a directory, or a path that does not exist yet.'
    }

    It 'TensorTooLarge: the message gives the sizes, the advice the other outputs and -MemoryLimit' {
        $down | ConvertFrom-Mxfp4 -MemoryLimit 1024 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be "TensorTooLarge,$from"
        $err[0].Exception.Message | Should -Be ("'model.layers.0.mlp.experts.down_proj' has 16384 elements (65536 bytes as F32), " +
            'more than an in-memory result may hold (a limit of 1024 bytes).')
        $err[0].ErrorDetails.RecommendedAction |
            Should -Be 'Use -OutFile or -AsStream, or select a part with -Expert or -Row (or raise -MemoryLimit).'
    }

    It 'LayoutNotSupported: the message names the tensor, the advice -Layout Natural' {
        $destination = Join-Path $TestDrive 'refused'
        ConvertFrom-Mxfp4 -Path $original -Destination $destination -Layout Transformers -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be "LayoutNotSupported,$from"
        $err[0].Exception.Message | Should -Not -Match $parameter
        $err[0].Exception.Message | Should -Match 'original gpt-oss naming'
        $err[0].ErrorDetails.RecommendedAction | Should -Be 'Use -Layout Natural.'
    }

    It 'ExpertOutOfRange from <Command>: the advice names -Expert' -ForEach @(
        @{ Command = 'ConvertFrom-Mxfp4'; Arguments = @{ Expert = 4 } }
        @{ Command = 'Invoke-Mxfp4MatVec'; Arguments = @{ Expert = 9; Vector = [float[]]::new(64) } }
    ) {
        $down | & $Command @Arguments -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ExpertOutOfRange,*'
        $err[0].Exception.Message | Should -Not -Match $parameter
        $err[0].ErrorDetails.RecommendedAction | Should -Match '^Give -Expert numbers from 0'
    }

    It 'InvalidSlice for -Expert on a 2-D tensor: the message gives the shape, the advice -Expert and -Row' {
        Get-SafetensorsHeader $sharded -Name 'model.embed_tokens.weight' |
            ConvertFrom-Mxfp4 -Expert 0 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be "InvalidSlice,$from"
        $err[0].Exception.Message | Should -Be ("Tensor 'model.embed_tokens.weight' has shape [256, 64]; " +
            'experts are selected only from a 3-D [experts, rows, columns] tensor.')
        $err[0].ErrorDetails.RecommendedAction | Should -Match '^Give -Expert only for a 3-D .* with -Row\.$'
    }

    It 'OutputExists from ConvertTo-Mxfp4 -OutFile: the same advice' {
        $out = Join-Path $TestDrive 'pairs.safetensors'
        Set-Content $out 'keep me' -NoNewline
        $tensor = Get-SafetensorsHeader $sharded -Name 'model.layers.0.self_attn.q_proj.weight'
        $err = try { $tensor | ConvertTo-Mxfp4 -OutFile $out -ErrorAction Stop } catch { $_ }
        $err.FullyQualifiedErrorId | Should -Be 'OutputExists,Mxfp4.PowerShell.Commands.ConvertToMxfp4Command'
        $err.Exception.Message | Should -Not -Match $parameter
        $err.ErrorDetails.RecommendedAction | Should -Be 'Add -Force to replace the file, or choose another -OutFile.'
    }

    It 'keeps the message shown as the engine wrote it, and the default error view shows the advice' {
        $down | ConvertFrom-Mxfp4 -MemoryLimit 1024 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ToString() | Should -Be $err[0].Exception.Message
        $ErrorView = 'ConciseView'
        ($err[0] | Out-String -Width 400) | Should -Match ([regex]::Escape('Recommendation: Use -OutFile or -AsStream'))
    }

    It 'leaves an error without advice as it was' {
        Get-SafetensorsHeader -LiteralPath (Join-Path $TestDrive 'missing') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].ErrorDetails | Should -BeNullOrEmpty
    }
}

Describe 'Engine messages name no cmdlet parameter' {
    It 'no string in src/Mxfp4.Core holds a -Parameter' {
        $hits = Get-ChildItem (Join-Path $repo 'src' 'Mxfp4.Core') -Recurse -Filter '*.cs' |
            Select-String -Pattern '"[^"]*(^|[\s(])-[A-Z][a-z]+[^"]*"' |
            Where-Object { $_.Line -notmatch '^\s*(//|\[)' }
        @($hits | ForEach-Object { "$($_.Filename):$($_.LineNumber)" }) | Should -BeNullOrEmpty
    }
}
