# -PassThru writes what Get-Item writes for the same file: the FileSystem provider's item, with PSPath and the
# default view's Mode and Length.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
}

Describe '-PassThru' {
    It 'ConvertFrom-Mxfp4 -OutFile -PassThru writes the provider item of the file' {
        $out = Join-Path $TestDrive 'down.bin'
        $file = Get-Mxfp4Tensor $sharded -Name '*layers.0*down_proj' | ConvertFrom-Mxfp4 -OutFile $out -PassThru
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.PSProvider.Name | Should -Be 'FileSystem'
        $file.PSPath | Should -Be (Get-Item $out).PSPath
        ($file | Out-String -Width 120) | Should -Be (Get-Item $out | Out-String -Width 120)
    }

    It 'ConvertFrom-Mxfp4 -Destination -PassThru writes one provider item per written file' {
        $destination = Join-Path $TestDrive 'bf16'
        $files = @(ConvertFrom-Mxfp4 -Path $sharded -Destination $destination -PassThru)
        $expected = @(Get-ChildItem $destination -File | Sort-Object FullName)
        ($files.FullName | Sort-Object) -join ',' | Should -Be ($expected.FullName -join ',')
        foreach ($file in $files) {
            $file.PSProvider.Name | Should -Be 'FileSystem'
            $file.PSParentPath | Should -Be (Get-Item $file.FullName).PSParentPath
        }
        ($files | Sort-Object FullName | Out-String -Width 120) | Should -Be ($expected | Get-Item | Out-String -Width 120)
    }
}
