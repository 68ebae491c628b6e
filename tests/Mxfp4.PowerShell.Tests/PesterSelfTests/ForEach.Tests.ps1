# Runner self-test: -ForEach / -TestCases data on Describe, Context and It.
Describe 'Describe data <Kind>' -ForEach @(
    @{ Kind = 'first'; Number = 1 }
    @{ Kind = 'second'; Number = 2 }
) {
    BeforeAll { $fromBeforeAll = $Number * 10 }

    It 'sees the item keys and $_' {
        $Kind | Should -BeIn 'first', 'second'
        $_.Number | Should -Be $Number
        $fromBeforeAll | Should -Be ($Number * 10)
    }

    Context 'nested <_>' -ForEach 'x', 'y' {
        It 'sees its own item as $_ and the outer keys' {
            $_ | Should -BeIn 'x', 'y'
            $Number | Should -BeIn 1, 2
        }
    }
}

Describe 'It data' {
    It 'adds <Left> and <Right>' -ForEach @(
        @{ Left = 1; Right = 2; Sum = 3 }
        @{ Left = 5; Right = 5; Sum = 10 }
    ) {
        $Left + $Right | Should -Be $Sum
    }

    It 'accepts -TestCases as Pester 5 does: <Value>' -TestCases @(@{ Value = 'a' }) {
        $Value | Should -Be 'a'
    }

    It 'gives plain items as $_: <_>' -ForEach 3, 4 {
        $_ | Should -BeGreaterThan 2
    }

    It 'makes data visible to BeforeEach-free bodies only for the current item <Value>' -ForEach @(@{ Value = 1 }, @{ Value = 2 }) {
        $Value | Should -BeLessOrEqual 2
    }
}
