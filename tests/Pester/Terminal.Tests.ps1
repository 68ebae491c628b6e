# What a person at a terminal sees. pwsh draws progress bars only on a terminal, so the child pwsh runs under
# script(1), which gives it a pseudo-terminal. pwsh asks the terminal where its cursor is before each frame (ESC[6n)
# and waits for the answer; a terminal emulator answers at once, so this test answers for one (ESC[1;1R).
BeforeDiscovery {
    $noTerminal = -not $IsLinux -or -not (Get-Command script -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    . (Join-Path $PSScriptRoot 'SparseCheckpoint.ps1')
    $pwsh = Join-Path $PSHOME 'pwsh'

    # Runs $Script in a pwsh on a pseudo-terminal; returns what the terminal received, escape sequences removed.
    function Invoke-OnTerminal([string] $Script) {
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
        $info = [System.Diagnostics.ProcessStartInfo]::new('script')
        foreach ($argument in '-qec', "'$pwsh' -NoProfile -NonInteractive -EncodedCommand $encoded",
            '/dev/null') { $info.ArgumentList.Add($argument) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $screen = $process.StandardOutput.ReadToEndAsync()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                try { $process.StandardInput.Write("$([char]27)[1;1R"); $process.StandardInput.Flush() } catch [System.IO.IOException] { }
                Start-Sleep -Milliseconds 20
            }
            $process.HasExited | Should -BeTrue -Because 'the command must end on its own'
            $process.ExitCode | Should -Be 0 -Because $screen.Result
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
        }
        $screen.Result -replace "$([char]27)\[[0-9;?]*[A-Za-z=]", '' -replace "$([char]27)[=>]", ''
    }

    # gpt-oss-20b's gate_up of 32 experts (282 MB of MXFP4), sparse; and a slice of it as a checkpoint to convert.
    $checkpoint = New-Item (Join-Path $TestDrive 'sparse') -ItemType Directory
    New-SparseSafetensors -Path (Join-Path $checkpoint 'model.safetensors') `
        -Tensor (New-Mxfp4Pair -Name 'model.layers.0.mlp.experts.gate_up_proj' -Experts 32 -Rows 5760 -Columns 2880)
    $small = New-Item (Join-Path $TestDrive 'small') -ItemType Directory
    New-SparseSafetensors -Path (Join-Path $small 'model.safetensors') `
        -Tensor (New-Mxfp4Pair -Name 'model.layers.0.mlp.experts.gate_up_proj' -Experts 2 -Rows 5760 -Columns 2880)
}

Describe 'On a terminal' -Skip:$noTerminal {
    It 'draws a progress bar that advances while a gpt-oss-sized tensor is dequantized' {
        $screen = Invoke-OnTerminal @"
Import-Module '$(Join-Path $repo 'output' 'Mxfp4')'
Get-Mxfp4Tensor '$checkpoint' | ConvertFrom-Mxfp4 -Format BF16 -AsByteStream | Out-Null
'finished'
"@
        $frames = [regex]::Matches($screen, 'Dequantizing model\.layers[^\[]*\[\s*([\d,]+) of 530,841,600 elem')
        $done = @($frames | ForEach-Object { [long]($_.Groups[1].Value -replace ',', '') })
        $done.Count | Should -BeGreaterOrEqual 2 -Because "the bar is redrawn as the work goes on:`n$screen"
        $done[0] | Should -Be 0
        for ($i = 1; $i -lt $done.Count; $i++) { $done[$i] | Should -BeGreaterOrEqual $done[$i - 1] }
        $screen | Should -Match 'finished'
    }

    It 'draws a progress bar while a whole checkpoint is converted' {
        $destination = Join-Path $TestDrive 'converted'
        $screen = Invoke-OnTerminal @"
Import-Module '$(Join-Path $repo 'output' 'Mxfp4')'
ConvertFrom-Mxfp4 -Path '$small' -Destination '$destination' -Format BF16
'finished'
"@
        $screen | Should -Match 'Convert\w* .*\['
        $screen | Should -Match 'finished'
        Join-Path $destination 'model.safetensors' | Should -Exist
    }
}
