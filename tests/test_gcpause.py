import gc

import pytest

from diplograph.model.gcpause import paused_gc


@pytest.mark.parametrize("before", [True, False])
def test_collection_is_paused_inside_and_as_it_was_after(before):
    (gc.enable if before else gc.disable)()
    try:
        with paused_gc():
            assert not gc.isenabled()
        assert gc.isenabled() is before
        with pytest.raises(KeyError), paused_gc():
            raise KeyError("on the way out too")
        assert gc.isenabled() is before
    finally:
        gc.enable()
