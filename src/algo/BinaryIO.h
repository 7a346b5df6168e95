// Moved to core/BinaryIO.h (the data layer's schema serialiser uses it too).
#pragma once

#include "core/BinaryIO.h"
